// Shaping one result document (QUERY.md "Projection"): `fields` keeps only
// the listed paths (nested shape rebuilt, missing ones left out),
// `excludedFields` removes paths (a parent object emptied by it goes too);
// then `_v` comes back, `_key` is set, and join aliases are added whole.
// Writes JSON straight from the encoded document.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

#include "doc/value.h"

namespace kiln::query {

// A set of dot-paths as a tree; `whole` = the path ends here (its whole
// value is meant, so deeper paths under it add nothing).
struct PathTree {
  bool whole = false;
  std::map<std::string, PathTree, std::less<>> kids;
  // Where this member was found last time (see find_field); shared by
  // threads, a stale value only costs a binary search.
  struct Hint {
    mutable std::atomic<uint32_t> at{0};
    Hint() = default;
    Hint(const Hint& o) : at(o.at.load(std::memory_order_relaxed)) {}
    Hint& operator=(const Hint& o) {
      at.store(o.at.load(std::memory_order_relaxed), std::memory_order_relaxed);
      return *this;
    }
  } hint;

  void add(std::string_view path);
  bool empty() const { return !whole && kids.empty(); }
};

struct Projection {
  enum class Mode { kNone, kFields, kExclude };
  Mode mode = Mode::kNone;
  PathTree tree;

  // From a request's `fields` / `excludedFields` (non-arrays and non-string
  // entries ignored, as in rc2). The caller checks they are not both set.
  static Projection parse(simdjson::simdjson_result<simdjson::dom::element> fields,
                          simdjson::simdjson_result<simdjson::dom::element> excluded);
};

// An alias and the encoded document embedded under it.
using Embed = std::pair<std::string_view, doc::Value>;

// Writes `document` shaped by `projection`. with_key: set `_key` (multi-doc
// results); otherwise `_key` is left out entirely (single-key lookups).
void write_shaped(doc::Value document, std::string_view key, bool with_key, const Projection& projection,
                  const std::vector<Embed>& embeds, std::string& out);

// The encoded `fields` projection of `document` (for join `fields`).
std::string project_encoded(doc::Value document, const PathTree& fields);

}  // namespace kiln::query
