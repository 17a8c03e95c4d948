#include "store/index.h"

#include <algorithm>
#include <cstring>
#include <future>

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
    case query::kStringRank: {
      doc::TextBuf buf;
      e.text = std::string(field.as_string(buf));
      break;
    }
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
    doc::TextBuf buf;
    query::fold_case(v.as_string(buf), key);
  } else if (v.tag() == doc::kDouble && v.as_double() == 0) {
    key.push_back('v');
    doc::put_double(key, 0.0);
  } else {
    key.push_back('v');
    doc::put_canonical(key, v);  // stored data may be in an older form
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

namespace {

// Entries with the same value share one group key: rank, then the number's
// exact bits or the text. (-0.0 and 0.0 are two groups that EntryLess finds
// equal; their records then interleave by key, which the insert hint only
// makes slower, never wrong.)
std::string group_key(const Index::Entry& e) {
  std::string key(1, static_cast<char>(e.rank));
  if (e.rank == query::kNumberRank) {
    key.append(reinterpret_cast<const char*>(&e.number), sizeof e.number);
  } else {
    key.append(e.text);
  }
  return key;
}

}  // namespace

void Index::build(const std::vector<const DocRecord*>& records) {
  // The two structures share nothing but the (read-only) records: the hash
  // is built on another thread meanwhile.
  auto hash_built = std::async(std::launch::async | std::launch::deferred, [&] { build_hash(records); });
  build_ordered(records);
  hash_built.get();
}

void Index::build_hash(const std::vector<const DocRecord*>& records) {
  for (const DocRecord* record : records) {
    doc::Value v = path_.lookup(record->value());
    if (!v.valid()) continue;
    RecordSet& set = hash_[hash_key(v)];
    set.insert(set.end(), record);  // key order: each insert is an append
  }
}

void Index::build_ordered(const std::vector<const DocRecord*>& records) {
  // Records are grouped by value (one Entry per distinct value), the few
  // distinct values sorted, and records placed by a counting sort that keeps
  // key order within a value: the EntryLess order without comparing keys,
  // so each tree insert below lands at the end.
  absl::flat_hash_map<std::string, uint32_t> group_of;
  std::vector<Entry> values;
  std::vector<uint32_t> group(records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    Entry e = entry_for(path_.lookup(records[i]->value()), nullptr);
    auto [it, added] = group_of.try_emplace(group_key(e), static_cast<uint32_t>(values.size()));
    if (added) values.push_back(std::move(e));
    group[i] = it->second;
  }
  std::vector<uint32_t> by_value(values.size());
  for (uint32_t g = 0; g < by_value.size(); ++g) by_value[g] = g;
  std::sort(by_value.begin(), by_value.end(),
            [&](uint32_t a, uint32_t b) { return EntryLess()(values[a], values[b]); });
  std::vector<size_t> count(values.size(), 0);
  for (uint32_t g : group) ++count[g];
  std::vector<size_t> start(values.size());
  size_t next = 0;
  for (uint32_t g : by_value) start[g] = next, next += count[g];
  std::vector<uint32_t> order(records.size());
  for (uint32_t i = 0; i < records.size(); ++i) order[start[group[i]]++] = i;
  for (uint32_t i : order) {
    Entry e = values[group[i]];
    e.record = records[i];
    ordered_.insert(ordered_.end(), std::move(e));  // in order: each insert is an append
  }
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
