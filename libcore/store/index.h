// Index: a secondary index on one dot-path of a collection's documents.
// Two structures, maintained together on every put/erase:
//  - hash: equality key -> records, for $eq / $in / implicit equality. The
//    key follows the query's equality: strings case-folded, every other
//    value by its exact (type-strict) encoding, so 1 and 1.0 differ.
//    Documents without the field are not in it.
//  - ordered: every record (missing values too) in the sort order of
//    query/sort.h, then by key, for numeric ranges and sort + count.
// Holds raw record pointers: the owning Collection keeps each record alive
// while it is indexed and updates the index before releasing one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/btree_set.h>
#include <absl/container/flat_hash_map.h>

#include "query/path.h"
#include "store/doc_record.h"
#include "util/hash.h"

namespace kiln {

struct IndexDef {
  std::string field;
  bool unique = false;

  std::string to_json() const;  // {"field":...,"unique":...}
  static IndexDef from_json(std::string_view json);  // throws INVALID_ARGUMENT
};

struct KeyLess {
  bool operator()(const DocRecord* a, const DocRecord* b) const { return a->key() < b->key(); }
};
using RecordSet = absl::btree_set<const DocRecord*, KeyLess>;

class Index {
 public:
  struct Entry {
    uint8_t rank;      // query::SortRank
    double number;     // numbers
    std::string text;  // strings: the bytes; arrays/objects: compact JSON
    const DocRecord* record;
  };
  struct EntryLess {
    bool operator()(const Entry& a, const Entry& b) const;
  };
  using Ordered = absl::btree_set<Entry, EntryLess>;

  explicit Index(IndexDef def);

  const IndexDef& def() const { return def_; }
  const query::FieldPath& path() const { return path_; }

  void insert(const DocRecord* record);
  void erase(const DocRecord* record);
  // Fills an empty index with many records at once: sorts once and appends
  // to the trees in order instead of one search per record. `records` must
  // be in ascending key order (the order a snapshot stores them in).
  void build(const std::vector<const DocRecord*>& records);
  void clear();

  // Equality key of a value (see above); -0.0 is keyed as 0.0.
  static std::string hash_key(doc::Value v);
  // The equality key of `document`'s indexed field; nullopt when missing.
  std::optional<std::string> key_of(doc::Value document) const;

  // Records whose field equals hash_key (ascending key order), or null.
  const RecordSet* find(std::string_view hash_key) const;
  size_t hash_size() const { return hash_.size(); }

  const Ordered& ordered() const { return ordered_; }
  static bool same_value(const Entry& a, const Entry& b);  // equal in the sort order
  static Entry entry_for(doc::Value field, const DocRecord* record);

 private:
  void build_hash(const std::vector<const DocRecord*>& records);
  void build_ordered(const std::vector<const DocRecord*>& records);

  IndexDef def_;
  query::FieldPath path_;
  absl::flat_hash_map<std::string, RecordSet, StringHash, StringEq> hash_;
  Ordered ordered_;
};

}  // namespace kiln
