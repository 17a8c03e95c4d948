// Parsing JSON text (simdjson DOM) under the request limits, with errors in
// MoltenDB's wording. The parser is per-thread and reused across calls.
#pragma once

#include <cstddef>
#include <string_view>

#include <simdjson.h>

namespace kiln::doc {

struct Limits {
  size_t max_depth = 32;                     // root = 0
  size_t max_request_bytes = 10 * 1024 * 1024;
  size_t max_keys = 1000;
};

// Messages use MoltenDB's wording with the configured limit ("max 10MB").
// Parses `json` and checks its size (not its depth: see check_depth). The element stays valid until the
// next parse on this thread; throws kiln::Error(kInvalidArgument) otherwise.
simdjson::dom::element parse_json(std::string_view json, const Limits& limits);

// A second independent parser on this thread, for documents parsed while a
// request's parse result is still in use.
simdjson::dom::element parse_json_secondary(std::string_view json, const Limits& limits);

// The array / object inside an element already known to be one. They return
// by value: iterating `e.get_array().value_unsafe()` directly would walk a
// reference into a destroyed temporary.
inline simdjson::dom::array as_array(simdjson::dom::element e) { return e.get_array().value_unsafe(); }
inline simdjson::dom::object as_object(simdjson::dom::element e) { return e.get_object().value_unsafe(); }

// Depth as MoltenDB counts it: the root value is at depth 0, every child
// value (scalar or container) one deeper than its parent.
size_t json_depth(simdjson::dom::element e);
size_t json_depth(simdjson::dom::object o);
void check_depth(simdjson::dom::element e, const Limits& limits);
void check_depth(simdjson::dom::object o, const Limits& limits);

}  // namespace kiln::doc
