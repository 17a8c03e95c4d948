// Running a query: plan (keys, an index, or a full scan) -> filter on the
// encoded documents (in parallel for large scans) -> order (bounded top-N
// when `count` is given) -> offset/count -> shape and write JSON. Only the
// returned documents are serialized, and only their projected fields.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "query/join.h"
#include "query/projection.h"
#include "query/sort.h"
#include "query/where.h"
#include "store/store.h"

namespace kiln {
struct Request;
}

namespace kiln::query {

struct Query {
  Where where;
  std::vector<SortSpec> sort;
  std::optional<uint64_t> count;  // non-negative integers only (rc2's as_u64)
  uint64_t offset = 0;
  Projection projection;
  std::vector<JoinSpec> joins;
};

// The query members of a (validated) get request.
Query parse_query(const Request& req);

struct Hit {
  const DocRecord* record;
  doc::Value doc;    // the record's value, or it with the joins applied
  doc::Value first;  // the first sort field (when sorting)
};

// How the last run found its candidates (for tests and the benchmark).
enum class AccessPath { kScan, kKeys, kIndexEquality, kIndexRange, kIndexOrder };

class Executor {
 public:
  Executor(const Query& query, const Store& store, const Collection* collection);

  // The result: matching hits in result order, sliced by offset/count.
  // `records` (a keys fetch) replaces the planner's candidates. *matched
  // tells whether anything matched before slicing.
  std::vector<Hit> run(const std::vector<const DocRecord*>* records, bool* matched);

  // Every matching record, in ascending key order (delete, aggregate).
  std::vector<Hit> all_matches();

  // Writes hits as a JSON array (or the single document when single).
  void write(const std::vector<Hit>& hits, bool single, std::string& out) const;

  AccessPath access_path() const { return access_; }

 private:
  struct Scratch {
    std::vector<Hit> hits;
    std::deque<std::string> storage;  // joined documents
    bool matched = false;
  };

  bool make_hit(const DocRecord* r, Scratch& s) const;
  bool less(const Hit& a, const Hit& b) const;
  void trim(std::vector<Hit>& hits, size_t limit) const;
  void order(std::vector<Hit>& hits, size_t limit) const;

  template <typename At>
  std::vector<Hit> scan(size_t n, At at, size_t limit, bool* matched, size_t min_per_thread = 32768);
  bool plan_index(std::vector<const DocRecord*>& out);
  bool run_index_order(size_t limit, std::vector<Hit>& out, bool* matched);

  const Query& q_;
  const Store& store_;
  const Collection* coll_;
  JoinResolver joins_;
  bool join_first_ = false;  // where/sort read a join alias
  bool input_order_ = false;  // unsorted keys fetch: keep the request's order
  std::vector<std::deque<std::string>> storage_;
  AccessPath access_ = AccessPath::kScan;
};

}  // namespace kiln::query
