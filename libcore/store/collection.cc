#include "store/collection.h"

#include <algorithm>

namespace kiln {

const DocRecord* Collection::find_raw(std::string_view key) const {
  auto it = docs_.find(key);
  return it == docs_.end() ? nullptr : it->get();
}

DocRef Collection::find(std::string_view key) const {
  auto it = docs_.find(key);
  return it == docs_.end() ? DocRef() : *it;
}

void Collection::put(DocRef record) {
  auto it = docs_.find(record->key());
  bytes_ += record->allocated_size();
  if (it != docs_.end()) {
    bytes_ -= (*it)->allocated_size();
    // Set elements are const; erase + insert keeps the set's invariants simple.
    docs_.erase(it);
  }
  docs_.insert(std::move(record));
}

bool Collection::erase(std::string_view key) {
  auto it = docs_.find(key);
  if (it == docs_.end()) return false;
  bytes_ -= (*it)->allocated_size();
  docs_.erase(it);
  return true;
}

std::vector<DocRef> Collection::sorted() const {
  std::vector<DocRef> all(docs_.begin(), docs_.end());
  std::sort(all.begin(), all.end(), [](const DocRef& a, const DocRef& b) { return a->key() < b->key(); });
  return all;
}

}  // namespace kiln
