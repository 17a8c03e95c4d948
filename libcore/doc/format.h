// The binary document encoding kept in RAM (and, later, in log records and
// snapshots). Documented in docs/document_format.md; summary:
//
//   value   := tag payload
//   null    := 0x00            false := 0x01          true := 0x02
//   int     := 0x03 zigzag-varint                      (int64)
//   uint    := 0x04 u64-le                             (only above INT64_MAX)
//   double  := 0x05 f64-le
//   string  := 0x06 varint(len) bytes                  (UTF-8, validated on input)
//   array   := 0x07 varint(payload_len) varint(count) value*
//   object  := 0x08|0x09 varint(payload_len) varint(count) offsets entry*
//              entry   := varint(key_len) key value, sorted by key bytes, keys unique
//              offsets := count × u16-le (tag 0x08) or u32-le (tag 0x09): the
//                         start of each entry, from the first entry
//
// payload_len counts every byte after its own varint, so any container can be
// skipped without reading it, and a field is found by binary search over the
// offset table without decoding the rest of the document.
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
};

enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };

}  // namespace kiln::doc
