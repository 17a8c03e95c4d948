// `sort` (QUERY.md "sort, count, offset"): the rc2 value order, usable as a
// total order: strings (bytes) < numbers (as doubles) < everything else by
// its compact JSON text (arrays '[' < false < null < true < objects '{') <
// missing. That is exactly rc2's pairwise rule, since a string's JSON text
// starts with '"' and a number's with '-' or a digit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "doc/value.h"
#include "query/path.h"

namespace kiln::query {

// Rank of a value in the sort order; kMissingRank for an invalid Value.
enum SortRank : uint8_t {
  kStringRank = 0,
  kNumberRank = 1,
  kArrayRank = 2,
  kFalseRank = 3,
  kNullRank = 4,
  kTrueRank = 5,
  kObjectRank = 6,
  kMissingRank = 7,
};
SortRank sort_rank(doc::Value v);

// <0, 0, >0 in ascending order (missing last).
int sort_compare(doc::Value a, doc::Value b);

struct SortSpec {
  FieldPath path;
  bool desc = false;
};

// Parses `sort` (an array of "path" or {"field":path,"order":"asc"|"desc"});
// anything else, and specs without a field, are ignored as in rc2.
std::vector<SortSpec> parse_sort(simdjson::dom::element sort);

// Full result order: the specs in priority order, then ascending key.
int compare_documents(const std::vector<SortSpec>& specs, doc::Value a, std::string_view key_a, doc::Value b,
                      std::string_view key_b);

}  // namespace kiln::query
