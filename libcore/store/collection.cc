#include "store/collection.h"

#include <algorithm>
#include <utility>

#include "schema/schema.h"

namespace kiln {

Collection::Collection() = default;

Collection::~Collection() = default;

// In a large collection each step of a lookup is a cache miss: the control
// bytes, then the set's slot, then the record. Where the set's slot lies
// depends only on the hash, not on the control bytes, so one prefetch of
// both overlaps the first two misses; the record's lines are then asked for
// together (EntryEq).
const DocRecord* Collection::find_raw(std::string_view key) const {
  by_key_.prefetch(key);
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : it->record;
}

DocRef Collection::find(std::string_view key) const {
  const DocRecord* r = find_raw(key);
  return r ? DocRef::share(r) : DocRef();
}

DocRef Collection::put_unindexed(DocRef record) {
  // One probe: the record goes in a new slot, and back out if its key was
  // already there, its entry and old slot then taking the new record. The
  // slot comes first so that a failed allocation leaves the set unchanged.
  const DocRecord* added = record.get();
  added->slot_ = static_cast<uint32_t>(slots_.size());
  slots_.push_back(std::move(record));
  std::pair<decltype(by_key_)::iterator, bool> inserted;
  try {
    inserted = by_key_.insert(Entry{added});
  } catch (...) {
    slots_.pop_back();
    throw;
  }
  bytes_ += added->allocated_size();
  if (inserted.second) return DocRef();
  const Entry& entry = *inserted.first;
  added->slot_ = entry.record->slot_;
  entry.record = added;
  DocRef replaced = std::exchange(slots_[added->slot_], std::move(slots_.back()));
  slots_.pop_back();
  bytes_ -= replaced->allocated_size();
  return replaced;
}

void Collection::put(DocRef record) {
  const DocRecord* added = record.get();
  DocRef replaced = put_unindexed(std::move(record));
  for (auto& index : indexes_) {
    if (replaced) index->erase(replaced.get());
    index->insert(added);
  }
}

void Collection::put_all(std::vector<DocRef> records) {
  if (!slots_.empty()) {
    for (DocRef& r : records) put(std::move(r));
    return;
  }
  slots_.reserve(records.size());
  by_key_.reserve(records.size());
  for (DocRef& r : records) put_unindexed(std::move(r));
  if (indexes_.empty()) return;
  std::vector<const DocRecord*> in_order = records_in_key_order();
  for (auto& index : indexes_) index->build(in_order);
}

std::vector<const DocRecord*> Collection::records_in_key_order() const {
  std::vector<const DocRecord*> out;
  out.reserve(slots_.size());
  for (const DocRef& r : slots_) out.push_back(r.get());
  auto by_key = [](const DocRecord* a, const DocRecord* b) { return a->key() < b->key(); };
  if (!std::is_sorted(out.begin(), out.end(), by_key)) std::sort(out.begin(), out.end(), by_key);
  return out;
}

bool Collection::erase(std::string_view key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return false;
  uint32_t hole = it->record->slot_;
  by_key_.erase(it);
  bytes_ -= slots_[hole]->allocated_size();
  for (auto& index : indexes_) index->erase(slots_[hole].get());
  if (hole != slots_.size() - 1) {
    slots_[hole] = std::move(slots_.back());
    slots_[hole]->slot_ = hole;
  }
  slots_.pop_back();
  return true;
}

void Collection::clear() {
  for (auto& index : indexes_) index->clear();
  by_key_.clear();
  slots_.clear();
  bytes_ = 0;
}

std::vector<DocRef> Collection::sorted() const {
  std::vector<DocRef> all(slots_.begin(), slots_.end());
  std::sort(all.begin(), all.end(), [](const DocRef& a, const DocRef& b) { return a->key() < b->key(); });
  return all;
}

const Index* Collection::index(std::string_view field) const {
  for (const auto& index : indexes_) {
    if (index->def().field == field) return index.get();
  }
  return nullptr;
}

void Collection::create_index(const IndexDef& def) {
  drop_index(def.field);
  auto index = std::make_unique<Index>(def);
  index->build(records_in_key_order());
  indexes_.push_back(std::move(index));
  std::sort(indexes_.begin(), indexes_.end(),
            [](const auto& a, const auto& b) { return a->def().field < b->def().field; });
}

bool Collection::drop_index(std::string_view field) {
  auto it = std::find_if(indexes_.begin(), indexes_.end(), [&](const auto& i) { return i->def().field == field; });
  if (it == indexes_.end()) return false;
  indexes_.erase(it);
  return true;
}

}  // namespace kiln
