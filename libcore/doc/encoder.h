// JSON (a parsed simdjson element) -> the binary encoding of format.h.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "doc/builder.h"

namespace kiln::doc {

// Appends the encoding of `element` to out. Returns its depth as json_depth
// counts it (json_parser.h), measured on the way: no second walk is needed.
size_t encode(simdjson::dom::element element, std::string& out);

inline std::string encode(simdjson::dom::element element) {
  std::string out;
  encode(element, out);
  return out;
}

// Appends an object encoded with edits at its top level, in one pass: fields
// named in `drop` are left out and `extra` fields (already encoded) are added,
// replacing same-named ones. Used to add metadata to incoming documents.
// Returns the depth of `object` without the dropped members.
size_t encode_object_with(simdjson::dom::object object, std::span<const Field> extra,
                          std::span<const std::string_view> drop, std::string& out);

}  // namespace kiln::doc
