// Comparing and copying short byte strings (member names, small values)
// inline: for a few bytes, a call to memcmp / memcpy costs more than the
// work. Pieces overlap instead of looping over tail bytes, and never read
// or write outside [p, p + n).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace kiln {

template <typename Word>
inline Word load_word(const char* p) {
  Word w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

template <typename Word>
inline void store_word(char* p, Word w) {
  std::memcpy(p, &w, sizeof w);
}

inline bool equal_short(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (load_word<uint64_t>(a + i) != load_word<uint64_t>(b + i)) return false;
    }
    return load_word<uint64_t>(a + n - 8) == load_word<uint64_t>(b + n - 8);
  }
  if (n >= 4) {
    return load_word<uint32_t>(a) == load_word<uint32_t>(b) &&
           load_word<uint32_t>(a + n - 4) == load_word<uint32_t>(b + n - 4);
  }
  if (n == 0) return true;
  return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
}

// memcpy(dst, src, n) for buffers that do not overlap.
inline void copy_short(char* dst, const char* src, size_t n) {
  if (n > 16) {
    std::memcpy(dst, src, n);
  } else if (n >= 8) {
    uint64_t head = load_word<uint64_t>(src), tail = load_word<uint64_t>(src + n - 8);
    store_word(dst, head);
    store_word(dst + n - 8, tail);
  } else if (n >= 4) {
    uint32_t head = load_word<uint32_t>(src), tail = load_word<uint32_t>(src + n - 4);
    store_word(dst, head);
    store_word(dst + n - 4, tail);
  } else if (n > 0) {
    char first = src[0], middle = src[n / 2], last = src[n - 1];
    dst[0] = first;
    dst[n / 2] = middle;
    dst[n - 1] = last;
  }
}

}  // namespace kiln
