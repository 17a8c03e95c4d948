// `joins` (QUERY.md "joins"): [{alias: {"from": coll, "on": path,
// "fields": [..]?}}, ...]. The string at `on` is a key in `from`; the found
// document (projected by `fields`) is embedded under `alias`.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "doc/value.h"
#include "query/path.h"
#include "query/projection.h"

namespace kiln {
class Store;
}

namespace kiln::query {

struct JoinSpec {
  std::string alias;
  std::string from;
  FieldPath on;
  bool project = false;
  PathTree fields;
  bool on_earlier_alias = false;  // `on` starts with an earlier join's alias
};

// rc2's rules: elements that are not objects, or have no member whose value
// is an object with `from`, are skipped; a non-array `joins` means none.
std::vector<JoinSpec> parse_joins(simdjson::simdjson_result<simdjson::dom::element> joins);

// The joins resolved for one document. Embedded bytes live in `storage`.
class JoinResolver {
 public:
  JoinResolver(const std::vector<JoinSpec>& joins, const Store& store);

  // Appends (alias, embedded value) for every join that resolves.
  void resolve(doc::Value document, std::vector<Embed>& embeds, std::deque<std::string>& storage) const;

  // `document` with the embeds set (overwriting same-named fields).
  static std::string materialize(doc::Value document, const std::vector<Embed>& embeds);

  bool empty() const { return joins_.empty(); }
  bool is_alias(std::string_view head) const;

 private:
  const std::vector<JoinSpec>& joins_;
  const Store& store_;
};

}  // namespace kiln::query
