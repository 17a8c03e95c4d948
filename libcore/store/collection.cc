#include "store/collection.h"

#include <algorithm>

#include "schema/schema.h"

namespace kiln {

Collection::Collection() : by_key_(0, SlotHash{&slots_}, SlotEq{&slots_}) {}

Collection::~Collection() = default;

const DocRecord* Collection::find_raw(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : slots_[*it].get();
}

DocRef Collection::find(std::string_view key) const {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? DocRef() : slots_[*it];
}

void Collection::put(DocRef record) {
  bytes_ += record->allocated_size();
  auto it = by_key_.find(record->key());
  if (it != by_key_.end()) {
    DocRef& slot = slots_[*it];
    bytes_ -= slot->allocated_size();
    for (auto& index : indexes_) {
      index->erase(slot.get());
      index->insert(record.get());
    }
    slot = std::move(record);  // same key: the set entry stays valid
    return;
  }
  for (auto& index : indexes_) index->insert(record.get());
  slots_.push_back(std::move(record));
  by_key_.insert(static_cast<uint32_t>(slots_.size() - 1));
}

bool Collection::erase(std::string_view key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return false;
  uint32_t hole = *it;
  by_key_.erase(it);
  bytes_ -= slots_[hole]->allocated_size();
  for (auto& index : indexes_) index->erase(slots_[hole].get());
  uint32_t last = static_cast<uint32_t>(slots_.size() - 1);
  if (hole != last) {
    by_key_.erase(by_key_.find(slots_[last]->key()));
    slots_[hole] = std::move(slots_[last]);
    by_key_.insert(hole);
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
  for (const DocRef& r : slots_) index->insert(r.get());
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
