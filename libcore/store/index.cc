#include "store/index.h"

#include <cstring>

#include "doc/builder.h"
#include "doc/json_writer.h"
#include "query/fold.h"
#include "query/sort.h"
#include "util/error.h"

#include <simdjson.h>

namespace kiln {

std::string IndexDef::to_json() const {
  std::string out = "{\"field\":";
  doc::write_json_string(field, out);
  out += unique ? ",\"unique\":true}" : ",\"unique\":false}";
  return out;
}

bool Index::EntryLess::operator()(const Entry& a, const Entry& b) const {
  if (a.rank != b.rank) return a.rank < b.rank;
  if (a.rank == query::kNumberRank) {
    if (a.number != b.number) return a.number < b.number;
  } else if (int c = a.text.compare(b.text)) {
    return c < 0;
  }
  if (a.record == b.record) return false;
  if (!a.record) return true;  // a null record is a lower bound
  if (!b.record) return false;
  return a.record->key() < b.record->key();
}

bool Index::same_value(const Entry& a, const Entry& b) {
  if (a.rank != b.rank) return false;
  if (a.rank == query::kNumberRank) return a.number == b.number;
  return a.text == b.text;
}

Index::Entry Index::entry_for(doc::Value field, const DocRecord* record) {
  Entry e{query::sort_rank(field), 0, {}, record};
  switch (e.rank) {
    case query::kNumberRank: e.number = field.as_double(); break;
    case query::kStringRank: e.text = std::string(field.as_string()); break;
    case query::kArrayRank:
    case query::kObjectRank: e.text = doc::to_json(field); break;
    default: break;
  }
  return e;
}

IndexDef IndexDef::from_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view field;
  if (parser.parse(json.data(), json.size(), true).get(object) != simdjson::SUCCESS ||
      object["field"].get_string().get(field) != simdjson::SUCCESS) {
    throw_invalid("Invalid index definition: " + std::string(json));
  }
  IndexDef def{std::string(field), false};
  bool unique = false;
  if (object["unique"].get_bool().get(unique) == simdjson::SUCCESS) def.unique = unique;
  return def;
}

Index::Index(IndexDef def) : def_(std::move(def)), path_(def_.field) {}

std::string Index::hash_key(doc::Value v) {
  std::string key;
  if (v.is_string()) {
    key.push_back('s');
    query::fold_case(v.as_string(), key);
  } else if (v.tag() == doc::kDouble && v.as_double() == 0) {
    key.push_back('v');
    doc::put_double(key, 0.0);
  } else {
    key.push_back('v');
    key.append(v.bytes());
  }
  return key;
}

std::optional<std::string> Index::key_of(doc::Value document) const {
  doc::Value v = path_.lookup(document);
  if (!v.valid()) return std::nullopt;
  return hash_key(v);
}

void Index::insert(const DocRecord* record) {
  doc::Value v = path_.lookup(record->value());
  if (v.valid()) hash_[hash_key(v)].insert(record);
  ordered_.insert(entry_for(v, record));
}

void Index::erase(const DocRecord* record) {
  doc::Value v = path_.lookup(record->value());
  if (v.valid()) {
    auto it = hash_.find(hash_key(v));
    if (it != hash_.end()) {
      it->second.erase(record);
      if (it->second.empty()) hash_.erase(it);
    }
  }
  ordered_.erase(entry_for(v, record));
}

void Index::clear() {
  hash_.clear();
  ordered_.clear();
}

const RecordSet* Index::find(std::string_view hash_key) const {
  auto it = hash_.find(hash_key);
  return it == hash_.end() ? nullptr : &it->second;
}

}  // namespace kiln
