// Case folding for MoltenDB's case-insensitive string rules: both sides are
// lowercased as Rust's str::to_lowercase does (full Unicode, with the
// context-sensitive final sigma and U+0130 -> "i\u0307"), then compared.
#pragma once

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

// lowercase(s) == folded_other (folded_other already lowercased).
bool folded_equals(std::string_view s, std::string_view folded_other);

// lowercase(s) contains folded_needle.
bool folded_contains(std::string_view s, std::string_view folded_needle);

}  // namespace kiln::query
