// JSON (a parsed simdjson element) -> the binary encoding of format.h.
#pragma once

#include <string>

#include <simdjson.h>

namespace kiln::doc {

// Appends the encoding of `element` to out.
void encode(simdjson::dom::element element, std::string& out);

inline std::string encode(simdjson::dom::element element) {
  std::string out;
  encode(element, out);
  return out;
}

}  // namespace kiln::doc
