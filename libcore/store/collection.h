// Collection: the documents of one collection, key -> DocRef, in RAM.
// Not synchronized itself: Store's owner (Db) serializes writers and lets
// readers share (see db.h).
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_set.h>

#include "store/doc_record.h"
#include "util/hash.h"

namespace kiln {

class Collection {
 public:
  // The record stored at key, or an empty DocRef.
  DocRef find(std::string_view key) const;
  const DocRecord* find_raw(std::string_view key) const;

  // Inserts or replaces the record at record->key().
  void put(DocRef record);
  // Returns true if a record was removed.
  bool erase(std::string_view key);

  size_t size() const { return docs_.size(); }
  size_t bytes_in_ram() const { return bytes_; }

  // Every record, in ascending key order (deterministic results).
  std::vector<DocRef> sorted() const;

  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const DocRef& r : docs_) fn(r);
  }

 private:
  // The set is keyed by the record's own key, so the key is stored once.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return hash_bytes(k); }
    size_t operator()(const DocRef& r) const { return (*this)(r->key()); }
  };
  struct KeyEq {
    using is_transparent = void;
    static std::string_view key_of(std::string_view k) { return k; }
    static std::string_view key_of(const DocRef& r) { return r->key(); }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return key_of(a) == key_of(b);
    }
  };

  absl::flat_hash_set<DocRef, KeyHash, KeyEq> docs_;
  size_t bytes_ = 0;
};

}  // namespace kiln
