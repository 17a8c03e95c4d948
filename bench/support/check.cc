#include "support/check.h"

#include <simdjson.h>

#include <algorithm>

namespace kbench {
namespace {

simdjson::dom::parser& parser() {
  static thread_local simdjson::dom::parser p;
  return p;
}

[[noreturn]] void wrong(const std::string& what, const std::string& detail) {
  throw Failure("WRONG ANSWER: " + what + ": " + detail);
}

}  // namespace

void check_document(uint64_t seed, uint64_t index, std::string_view json, const char* engine) {
  std::string what = std::string(engine) + " get " + doc_key(index);
  simdjson::dom::element doc;
  if (parser().parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) wrong(what, "not JSON");
  Record r = make_record(seed, index);
  std::string_view name, city, email, zip, street;
  int64_t age;
  double score;
  bool active;
  simdjson::dom::array tags;
  if (doc["name"].get(name) || name != r.name) wrong(what, "name");
  if (doc["age"].get(age) || age != r.age) wrong(what, "age");
  if (doc["city"].get(city) || city != r.city) wrong(what, "city");
  if (doc["score"].get(score) || score != r.score()) wrong(what, "score");
  if (doc["active"].get(active) || active != r.active) wrong(what, "active");
  if (doc["email"].get(email) || email != r.email) wrong(what, "email");
  if (doc["address"]["zip"].get(zip) || zip != r.zip) wrong(what, "address.zip");
  if (doc["address"]["street"].get(street) || street != r.street) wrong(what, "address.street");
  if (doc["tags"].get(tags) || tags.size() != r.tags.size()) wrong(what, "tags");
  size_t t = 0;
  for (simdjson::dom::element tag : tags) {
    std::string_view s;
    if (tag.get(s) || s != r.tags[t++]) wrong(what, "tags");
  }
}

std::vector<Row> answer_rows(const Answer& a) {
  if (!a.is_json) return a.rows;
  std::vector<Row> rows;
  if (!a.json.data) return rows;  // NOT_FOUND: no rows
  simdjson::dom::element root;
  if (parser().parse(a.json.data, a.json.len).get(root) != simdjson::SUCCESS) wrong("query", "answer is not JSON");
  simdjson::dom::array arr;
  if (root.get(arr)) wrong("query", "answer is not an array");
  for (simdjson::dom::element e : arr) {
    Row r;
    std::string_view key, name;
    if (e["_key"].get(key) || e["name"].get(name) || e["age"].get(r.age)) wrong("query", "row lacks _key/name/age");
    r.key = key;
    r.name = name;
    // Projection: only name, age and the always-present _key/_v.
    simdjson::dom::object o = e.get_object().value_unsafe();
    for (auto f : o) {
      if (f.key != "_key" && f.key != "_v" && f.key != "name" && f.key != "age") {
        wrong("query", "unexpected member '" + std::string(f.key) + "' in a fields [name, age] projection");
      }
    }
    rows.push_back(std::move(r));
  }
  return rows;
}

void check_rows(std::vector<Row> got, const std::vector<Row>& want, bool ordered, const std::string& what) {
  if (!ordered) std::sort(got.begin(), got.end(), [](const Row& a, const Row& b) { return a.key < b.key; });
  if (got.size() != want.size()) {
    wrong(what, std::to_string(got.size()) + " rows, expected " + std::to_string(want.size()));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == want[i])) {
      wrong(what, "row " + std::to_string(i) + " is " + got[i].key + " (" + got[i].name + ", " +
                      std::to_string(got[i].age) + "), expected " + want[i].key + " (" + want[i].name + ", " +
                      std::to_string(want[i].age) + ")");
    }
  }
}

}  // namespace kbench
