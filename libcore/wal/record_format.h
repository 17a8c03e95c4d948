// The on-disk layout of log segments and records (docs/log_format.md).
//
//   segment := header record*
//   header  := "KILNWAL1" u32 format_version u32 reserved          (16 bytes)
//   record  := u32 length  u32 checksum  u64 lsn  i64 timestamp_ms
//              u8 type  u8 flags  u16 reserved  payload[length]   (28 + length)
//
// All integers little-endian. checksum = low 32 bits of
// XXH3_64bits_withSeed(bytes 8 .. 28+length of the record, seed = length):
// it covers every header field after itself and the payload, and the seed
// ties the length in. Flags are reserved for per-record compression and
// encryption (bit 0, bit 1); a reader rejects flags it does not know.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace kiln::wal {

inline constexpr std::string_view kSegmentMagic = "KILNWAL1";
// Version 2: document encodings may use the tags added in doc/format.h
// (u8 offset tables, stamps, cents); version 1 files (older tags only) are
// read as they are. An older kilndb refuses a version 2 segment with a clear
// error instead of misreading the new tags; new records are therefore never
// appended to a version 1 segment.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr size_t kSegmentHeaderSize = 16;
inline constexpr size_t kRecordHeaderSize = 28;
inline constexpr uint8_t kKnownFlags = 0;  // no flag is implemented yet

enum class RecordType : uint8_t {
  kWriteBatch = 1,  // payload: encoded mutations (batch_codec.h)
};

struct RecordHeader {
  uint32_t length = 0;
  uint32_t checksum = 0;
  uint64_t lsn = 0;
  int64_t timestamp_ms = 0;
  uint8_t type = 0;
  uint8_t flags = 0;
};

template <typename T>
inline T load_le(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // little-endian hosts only (checked by CMake)
  return v;
}

template <typename T>
inline void store_le(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

inline uint32_t record_checksum(const char* record, uint32_t length) {
  return static_cast<uint32_t>(XXH3_64bits_withSeed(record + 8, kRecordHeaderSize - 8 + length, length));
}

inline RecordHeader parse_header(const char* p) {
  RecordHeader h;
  h.length = load_le<uint32_t>(p);
  h.checksum = load_le<uint32_t>(p + 4);
  h.lsn = load_le<uint64_t>(p + 8);
  h.timestamp_ms = load_le<int64_t>(p + 16);
  h.type = static_cast<uint8_t>(p[24]);
  h.flags = static_cast<uint8_t>(p[25]);
  return h;
}

// Fills in the header of a record laid out at `record`: kRecordHeaderSize
// bytes, then the `length` payload bytes already written after them. Lets a
// writer encode a large payload in place instead of copying it into a record.
inline void frame_record(char* record, uint32_t length, uint64_t lsn, int64_t timestamp_ms, RecordType type) {
  std::memcpy(record, &length, 4);
  std::memset(record + 4, 0, kRecordHeaderSize - 4);
  std::memcpy(record + 8, &lsn, 8);
  std::memcpy(record + 16, &timestamp_ms, 8);
  record[24] = static_cast<char>(type);  // then flags and reserved: 0
  uint32_t sum = record_checksum(record, length);
  std::memcpy(record + 4, &sum, sizeof sum);
}

// Appends one complete record to `out`.
inline void encode_record(std::string& out, uint64_t lsn, int64_t timestamp_ms, RecordType type,
                          std::string_view payload) {
  size_t start = out.size();
  out.resize(start + kRecordHeaderSize);
  out.append(payload);
  frame_record(out.data() + start, static_cast<uint32_t>(payload.size()), lsn, timestamp_ms, type);
}

inline std::string segment_header() {
  std::string h(kSegmentMagic);
  store_le<uint32_t>(h, kFormatVersion);
  store_le<uint32_t>(h, 0);
  return h;
}

// Segment file names: the LSN of their first record, 20 digits, ".wal".
std::string segment_name(uint64_t first_lsn);
// Parses a segment file name; false if `name` is not one.
bool parse_segment_name(std::string_view name, uint64_t* first_lsn);

}  // namespace kiln::wal
