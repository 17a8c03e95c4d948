// Collection: the documents of one collection, key -> DocRef, in RAM, plus
// its secondary indexes and JSON Schema. Not synchronized itself: Store's
// owner (Db) serializes writers and lets readers share (see db.h).
//
// Records live in a dense vector (slots) so scans walk memory in order and
// split evenly across threads; a hash set of record pointers, hashed by the
// record's own key, finds a key (each record knows its slot). Erase moves
// the last slot into the hole.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_set.h>

#include "store/doc_record.h"
#include "store/index.h"
#include "util/hash.h"

namespace kiln {

class Schema;

class Collection {
 public:
  Collection();
  Collection(const Collection&) = delete;
  Collection& operator=(const Collection&) = delete;
  ~Collection();

  // The record stored at key, or an empty DocRef.
  DocRef find(std::string_view key) const;
  const DocRecord* find_raw(std::string_view key) const;

  // Inserts or replaces the record at record->key(); keeps indexes current.
  void put(DocRef record);
  // put() for many records, in order (a later record replaces an earlier
  // one with the same key), sized once. Into an empty collection the
  // indexes are then built in bulk rather than grown one record at a time:
  // the load path of open.
  void put_all(std::vector<DocRef> records);
  // Returns true if a record was removed.
  bool erase(std::string_view key);
  // Removes every document; index and schema definitions stay.
  void clear();

  size_t size() const { return slots_.size(); }
  size_t bytes_in_ram() const { return bytes_; }

  // Every record, in ascending key order (deterministic results).
  std::vector<DocRef> sorted() const;

  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const DocRef& r : slots_) fn(r);
  }

  // Dense access for scans: slot(i) for i < size(), in no particular order.
  const DocRecord* slot(size_t i) const { return slots_[i].get(); }

  // Secondary indexes (store/index.h), by field path.
  const Index* index(std::string_view field) const;
  const std::vector<std::unique_ptr<Index>>& indexes() const { return indexes_; }
  // Creates (and fills) the index; replaces one on the same field.
  void create_index(const IndexDef& def);
  bool drop_index(std::string_view field);

  const std::shared_ptr<const Schema>& schema() const { return schema_; }
  void set_schema(std::shared_ptr<const Schema> schema) { schema_ = std::move(schema); }

  bool has_definitions() const { return !indexes_.empty() || schema_ != nullptr; }

 private:
  // One entry of by_key_: a record, hashed and compared by its key, with
  // lookup by key. A replace points the entry at the new record (same key,
  // so the same hash).
  struct Entry {
    mutable const DocRecord* record;
  };
  struct EntryHash {
    using is_transparent = void;
    size_t operator()(std::string_view k) const { return hash_bytes(k); }
    size_t operator()(const Entry& e) const { return hash_bytes(e.record->key()); }
  };
  struct EntryEq {
    using is_transparent = void;
    static std::string_view key_of(std::string_view k) { return k; }
    // The record is prefetched whole before its key is compared: a lookup
    // that matches reads the rest of it next.
    static std::string_view key_of(const Entry& e) {
      DocRecord::prefetch(e.record);
      return e.record->key();
    }
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return key_of(a) == key_of(b);
    }
  };

  // Records in ascending key order when slots_ already are (as after a
  // snapshot load), else sorted.
  std::vector<const DocRecord*> records_in_key_order() const;
  // Inserts or replaces without touching the indexes; returns the record
  // replaced (empty if the key was new).
  DocRef put_unindexed(DocRef record);

  std::vector<DocRef> slots_;
  absl::flat_hash_set<Entry, EntryHash, EntryEq> by_key_;
  size_t bytes_ = 0;
  std::vector<std::unique_ptr<Index>> indexes_;
  std::shared_ptr<const Schema> schema_;
};

}  // namespace kiln
