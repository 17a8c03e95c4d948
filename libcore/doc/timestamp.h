// Timestamp-shaped strings, stored as a number (the "stamp" of format.h):
// recognising their text, and writing it back. Writing is on the path of
// every get (each document has two), so it is a handful of integer steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace kiln::doc {

inline constexpr size_t kStampSecondsLen = 20;  // 2026-12-02T14:34:00Z
inline constexpr size_t kStampMillisLen = 24;   // 2026-12-02T14:34:00.123Z

// If s is exactly the canonical text of a UTC timestamp (format.h: fixed
// width, years 0000-9999, a real calendar date, 00:00:00 to 23:59:59, an
// upper-case 'T' and 'Z'), sets *code to its stamp payload and returns true.
// Writing *code back with format_stamp gives s byte for byte.
bool parse_stamp(std::string_view s, uint64_t* code);

// Writes the text of a stamp payload at out (room for kStampMillisLen bytes)
// and returns its length. Any payload writes that many bytes of digits and
// separators (a corrupt one a wrong date, never out of bounds).
size_t format_stamp(uint64_t code, char* out);

}  // namespace kiln::doc
