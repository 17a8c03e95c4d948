#include <simdjson.h>

#include <algorithm>

#include "support/engines.h"

namespace kbench {

struct JsonScan::Impl {
  simdjson::ondemand::parser parser;
  std::string padded;  // the document copied with simdjson's padding
  std::vector<Row> rows;
};

JsonScan::JsonScan() : impl_(std::make_unique<Impl>()) {}
JsonScan::~JsonScan() = default;

void JsonScan::consider(std::string_view key, std::string_view json) {
  std::string& buf = impl_->padded;
  if (buf.size() < json.size() + simdjson::SIMDJSON_PADDING) buf.resize(json.size() + simdjson::SIMDJSON_PADDING);
  std::copy(json.begin(), json.end(), buf.begin());
  simdjson::ondemand::document doc;
  if (impl_->parser.iterate(buf.data(), json.size(), buf.size()).get(doc) != simdjson::SUCCESS) {
    throw Failure("scan: document " + std::string(key) + " is not JSON");
  }
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) throw Failure("scan: document is not an object");
  std::string_view name, city;
  int64_t age = -1;
  double score = 0;
  int seen = 0;
  for (auto field : obj) {
    std::string_view k;
    if (field.unescaped_key().get(k) != simdjson::SUCCESS) throw Failure("scan: bad key");
    if (k == "name") {
      if (field.value().get_string().get(name) != simdjson::SUCCESS) throw Failure("scan: bad name");
      ++seen;
    } else if (k == "age") {
      if (field.value().get_int64().get(age) != simdjson::SUCCESS) throw Failure("scan: bad age");
      if (age <= kQueryMinAge) return;
      ++seen;
    } else if (k == "city") {
      if (field.value().get_string().get(city) != simdjson::SUCCESS) throw Failure("scan: bad city");
      if (city != kQueryCity) return;
      ++seen;
    } else if (k == "score") {
      if (field.value().get_double().get(score) != simdjson::SUCCESS) throw Failure("scan: bad score");
      ++seen;
    }
    if (seen == 4) break;
  }
  if (seen == 4) impl_->rows.push_back(Row{std::string(key), std::string(name), age, score});
}

std::vector<Row> JsonScan::take(QueryKind kind) {
  std::vector<Row> rows = std::move(impl_->rows);
  impl_->rows.clear();
  if (kind == QueryKind::kTop) {
    auto by_score = [](const Row& a, const Row& b) { return a.score != b.score ? a.score > b.score : a.key < b.key; };
    size_t k = std::min(kTopN, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(k), rows.end(), by_score);
    rows.resize(k);
  }
  return rows;
}

}  // namespace kbench
