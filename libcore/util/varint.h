// LEB128 varints and zigzag, used by the document encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace kiln {

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Writes v at p (which has room for varint_size(v) bytes); returns the end.
inline uint8_t* write_varint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

inline size_t varint_size(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Reads a varint at p, advancing p. Input comes from our own encoder (the
// bytes in RAM, or a checksummed file), so there is no bounds argument.
inline uint64_t get_varint(const uint8_t*& p) {
  uint64_t v = 0;
  int shift = 0;
  while (*p & 0x80) {
    v |= static_cast<uint64_t>(*p++ & 0x7f) << shift;
    shift += 7;
  }
  v |= static_cast<uint64_t>(*p++) << shift;
  return v;
}

inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

}  // namespace kiln
