#include "query/join.h"

#include "doc/builder.h"
#include "query/members.h"
#include "store/store.h"

namespace kiln::query {

std::vector<JoinSpec> parse_joins(simdjson::simdjson_result<simdjson::dom::element> joins) {
  std::vector<JoinSpec> specs;
  simdjson::dom::array list;
  if (joins.get_array().get(list) != simdjson::SUCCESS) return specs;
  for (simdjson::dom::element item : list) {
    simdjson::dom::object entry;
    if (item.get_object().get(entry) != simdjson::SUCCESS) continue;
    for (const auto& [alias, value] : sorted_members(entry)) {
      simdjson::dom::object body;
      if (value.get_object().get(body) != simdjson::SUCCESS || body["from"].error() != simdjson::SUCCESS) continue;
      JoinSpec spec;
      spec.alias = std::string(alias);
      std::string_view text;
      if (body["from"].get_string().get(text) == simdjson::SUCCESS) spec.from = std::string(text);
      text = {};
      if (body["on"].get_string().get(text) != simdjson::SUCCESS) text = {};
      spec.on = FieldPath(text);
      simdjson::dom::array fields;
      if (body["fields"].get_array().get(fields) == simdjson::SUCCESS) {
        spec.project = true;
        for (simdjson::dom::element f : fields) {
          std::string_view path;
          if (f.get_string().get(path) == simdjson::SUCCESS) spec.fields.add(path);
        }
      }
      for (const JoinSpec& earlier : specs) {
        if (earlier.alias == spec.on.head()) spec.on_earlier_alias = true;
      }
      specs.push_back(std::move(spec));
      break;  // the first matching member names the alias
    }
  }
  return specs;
}

JoinResolver::JoinResolver(const std::vector<JoinSpec>& joins, const Store& store) : joins_(joins), store_(store) {}

bool JoinResolver::is_alias(std::string_view head) const {
  for (const JoinSpec& j : joins_) {
    if (j.alias == head) return true;
  }
  return false;
}

void JoinResolver::resolve(doc::Value document, std::vector<Embed>& embeds, std::deque<std::string>& storage) const {
  size_t first = embeds.size();
  for (const JoinSpec& j : joins_) {
    doc::Value base = document;
    if (j.on_earlier_alias && embeds.size() > first) {
      // Joins apply one after another: `on` may read an alias set above.
      std::vector<Embed> so_far(embeds.begin() + static_cast<std::ptrdiff_t>(first), embeds.end());
      storage.push_back(materialize(document, so_far));
      base = doc::Value(storage.back());
    }
    doc::Value on = j.on.lookup(base);
    if (!on.valid() || !on.is_string()) continue;
    const Collection* from = store_.find(j.from);
    doc::TextBuf buf;
    const DocRecord* found = from ? from->find_raw(on.as_string(buf)) : nullptr;
    if (!found) continue;
    doc::Value embedded = found->value();
    if (j.project) {
      storage.push_back(project_encoded(embedded, j.fields));
      embedded = doc::Value(storage.back());
    }
    bool replaced = false;
    for (size_t i = first; i < embeds.size(); ++i) {
      if (embeds[i].first == j.alias) {
        embeds[i].second = embedded;
        replaced = true;
      }
    }
    if (!replaced) embeds.emplace_back(j.alias, embedded);
  }
}

std::string JoinResolver::materialize(doc::Value document, const std::vector<Embed>& embeds) {
  if (!document.is_object() || embeds.empty()) return std::string(document.bytes());
  std::vector<doc::Field> fields;
  size_t n = document.count();
  fields.reserve(n + embeds.size());
  for (size_t i = 0; i < n; ++i) fields.push_back({document.key_at(i), document.value_at(i).bytes()});
  for (const Embed& e : embeds) fields.push_back({e.first, e.second.bytes()});  // last duplicate wins
  std::string out;
  doc::put_object(out, fields);
  return out;
}

}  // namespace kiln::query
