// Hashing for string keys in hash maps: XXH3 (fast on short keys, well mixed,
// which Swiss tables need), with transparent lookup by std::string_view.
#pragma once

#include <string>
#include <string_view>

// Inlined: the hash runs on every lookup, and no library needs linking.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kiln {

inline size_t hash_bytes(std::string_view s) { return static_cast<size_t>(XXH3_64bits(s.data(), s.size())); }

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return hash_bytes(s); }
};

struct StringEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

}  // namespace kiln
