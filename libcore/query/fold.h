// Case folding for MoltenDB's case-insensitive string rules: both sides are
// lowercased as Rust's str::to_lowercase does (full Unicode, with the
// context-sensitive final sigma and U+0130 -> "i\u0307"), then compared.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kiln::query {

// Appends the lowercase form of the UTF-8 text `s` to out.
void fold_case(std::string_view s, std::string& out);

inline std::string folded(std::string_view s) {
  std::string out;
  fold_case(s, out);
  return out;
}

// Whether s has a byte >= 0x80 (eight at a time).
inline bool has_non_ascii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ull) return true;
  }
  for (; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) >= 0x80) return true;
  }
  return false;
}

// lowercase(s) == folded_other (folded_other already lowercased).
bool folded_equals(std::string_view s, std::string_view folded_other);

// lowercase(s) contains folded_needle.
bool folded_contains(std::string_view s, std::string_view folded_needle);

}  // namespace kiln::query
