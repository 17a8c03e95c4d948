// The binary document encoding kept in RAM and in log records and
// snapshots. Documented in docs/document_format.md; summary:
//
//   value   := tag payload
//   null    := 0x00            false := 0x01          true := 0x02
//   int     := 0x03 zigzag-varint                      (int64)
//   uint    := 0x04 u64-le                             (only above INT64_MAX)
//   double  := 0x05 f64-le
//   string  := 0x06 varint(len) bytes                  (UTF-8, validated on input)
//   array   := 0x07 varint(payload_len) varint(count) value*
//   object  := 0x08|0x09|0x0a varint(payload_len) varint(count) offsets entry*
//              entry   := varint(key_len) key value, sorted by key bytes, keys unique
//              offsets := count × u16-le (tag 0x08), u32-le (0x09) or u8 (0x0a):
//                         the start of each entry, from the first entry
//   stamp   := 0x0b varint(zigzag(t) << 1 | ms)        a string, see below
//   cents   := 0x0c zigzag-varint(k)                   the double k / 100.0, see below
//
// payload_len counts every byte after its own varint, so any container can be
// skipped without reading it, and a field is found by binary search over the
// offset table without decoding the rest of the document.
//
// A stamp is a string whose text is a canonical UTC ISO-8601 timestamp,
// "YYYY-MM-DDTHH:MM:SSZ" (ms = 0, t = seconds since 1970-01-01T00:00:00Z) or
// "YYYY-MM-DDTHH:MM:SS.sssZ" (ms = 1, t = milliseconds), years 0000-9999,
// stored as the number (doc/timestamp.h). It is the same value as the string
// with that text in every respect: only its bytes differ. The encoder stores
// every string of that exact shape (any member, user data too) as a stamp.
//
// Cents: a double with one or two decimals (prices, scores) that is exactly
// k / 100.0 for an integer k, |k| < 1e14, k not a multiple of 100 (so never
// an integral double such as 1.0 or -0.0), stored as k. It is that double in
// every respect, a float (1.5 != 1), printed as the same shortest form.
//
// Readers accept every tag; the writers pick the narrowest form: 0x0a when
// the entries take at most 255 bytes, 0x08 up to 65535, else 0x09; 0x0b for
// timestamp-shaped strings, 0x0c for cents doubles. Data written before tags
// 0x0a-0x0c existed (all objects 0x08/0x09, strings 0x06, doubles 0x05)
// therefore still reads the same.
#pragma once

#include <cstdint>

namespace kiln::doc {

enum Tag : uint8_t {
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kInt = 0x03,
  kUint = 0x04,
  kDouble = 0x05,
  kString = 0x06,
  kArray = 0x07,
  kObject16 = 0x08,
  kObject32 = 0x09,
  kObject8 = 0x0a,
  kStamp = 0x0b,
  kCents = 0x0c,
};

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

// Bytes per offset-table entry of an object tag (kObject8/16/32).
inline unsigned offset_width(uint8_t object_tag) {
  return object_tag == kObject8 ? 1 : (object_tag == kObject16 ? 2 : 4);
}

// The cents form of d (format.h): true and *k when d is exactly k / 100.0
// with |k| < 1e14 and k not a multiple of 100.
inline bool cents_of(double d, int64_t* k) {
  double scaled = d * 100;
  if (!(scaled > -1e14 && scaled < 1e14)) return false;  // also NaN
  auto rounded = static_cast<int64_t>(scaled < 0 ? scaled - 0.5 : scaled + 0.5);
  if (rounded % 100 == 0 || static_cast<double>(rounded) / 100 != d) return false;
  *k = rounded;
  return true;
}

}  // namespace kiln::doc
