// The metadata fields every stored object carries (QUERY.md "set").
#pragma once

#include <cstdint>
#include <string_view>

#include "doc/value.h"

namespace kiln::meta {

inline constexpr std::string_view kVersion = "_v";
inline constexpr std::string_view kCreatedAt = "createdAt";
inline constexpr std::string_view kModifiedAt = "modifiedAt";

// The stored _v of a document: its `_v` if that is a non-negative integer,
// else 0 (also for non-objects), as rc2 reads it.
inline uint64_t stored_version(doc::Value document) {
  uint64_t v = 0;
  if (document.is_object()) {
    doc::Value field = document.find(kVersion);
    if (field.valid() && field.get_uint(&v)) return v;
  }
  return 0;
}

}  // namespace kiln::meta
