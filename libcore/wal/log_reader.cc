#include "wal/log_reader.h"

#include "util/error.h"

namespace kiln::wal {
namespace {

[[noreturn]] void corrupt(const std::string& path, uint64_t offset, const std::string& why) {
  throw Error(Code::kCorruption,
              "WAL segment '" + path + "' is corrupt at offset " + std::to_string(offset) + ": " + why);
}

// Why the record at `off` is not intact, or "" if it is.
std::string check_record(std::string_view bytes, size_t off, uint64_t expected_lsn) {
  if (bytes.size() - off < kRecordHeaderSize) return "incomplete record header";
  RecordHeader h = parse_header(bytes.data() + off);
  if (h.length > bytes.size() - off - kRecordHeaderSize) return "record extends past the end of the file";
  if (record_checksum(bytes.data() + off, h.length) != h.checksum) return "checksum mismatch";
  if (h.lsn != expected_lsn) {
    return "LSN " + std::to_string(h.lsn) + " where " + std::to_string(expected_lsn) + " was expected";
  }
  if (h.flags & ~kKnownFlags) return "unknown record flags " + std::to_string(h.flags);
  if (h.type != static_cast<uint8_t>(RecordType::kWriteBatch)) return "unknown record type " + std::to_string(h.type);
  return "";
}

// True if a record with a matching checksum starts at `off`.
bool checksum_ok_at(std::string_view bytes, size_t off) {
  if (bytes.size() - off < kRecordHeaderSize) return false;
  RecordHeader h = parse_header(bytes.data() + off);
  if (h.length > bytes.size() - off - kRecordHeaderSize) return false;
  return record_checksum(bytes.data() + off, h.length) == h.checksum;
}

// True if an intact record with an LSN above `after` starts anywhere after `from`.
bool intact_record_follows(std::string_view bytes, size_t from, uint64_t after) {
  for (size_t off = from + 1; off + kRecordHeaderSize <= bytes.size(); ++off) {
    RecordHeader h = parse_header(bytes.data() + off);
    if (h.lsn <= after || h.lsn - after > bytes.size()) continue;  // cheap filter: plausible LSNs only
    if (h.length > bytes.size() - off - kRecordHeaderSize) continue;
    if (record_checksum(bytes.data() + off, h.length) == h.checksum) return true;
  }
  return false;
}

}  // namespace

SegmentScan scan_segment(std::string_view bytes, const std::string& path, uint64_t first_lsn, bool is_last,
                         const RecordFn& fn) {
  SegmentScan scan;
  if (bytes.size() < kSegmentHeaderSize) {
    if (!is_last) corrupt(path, 0, "incomplete segment header");
    scan.torn_bytes = bytes.size();
    scan.torn_reason = "incomplete segment header";
    return scan;
  }
  if (bytes.substr(0, kSegmentMagic.size()) != kSegmentMagic) corrupt(path, 0, "not a kilndb log segment");
  uint32_t version = load_le<uint32_t>(bytes.data() + 8);
  if (version < kOldestFormatVersion || version > kFormatVersion) corrupt(path, 8, "unsupported log format version");
  scan.format_version = version;

  size_t off = kSegmentHeaderSize;
  uint64_t expected = first_lsn;
  while (off < bytes.size()) {
    std::string why = check_record(bytes, off, expected);
    if (!why.empty()) {
      // The writer preallocates the segment ahead with zeros and never
      // writes a record of zeros (no record has LSN 0), so zeros from here to
      // the end are space a crash left unwritten, not damage.
      if (is_last && bytes.find_first_not_of('\0', off) == std::string_view::npos) {
        scan.zero_tail_bytes = bytes.size() - off;
        break;
      }
      // A checksummed record with a wrong LSN, type or flags was written whole: not a torn write.
      if (!is_last || checksum_ok_at(bytes, off) || intact_record_follows(bytes, off, expected - 1)) {
        corrupt(path, off, why);
      }
      scan.torn_bytes = bytes.size() - off;  // everything open cuts, zeros after it included
      scan.torn_reason = why;
      break;
    }
    RecordHeader h = parse_header(bytes.data() + off);
    fn(h, bytes.substr(off + kRecordHeaderSize, h.length), off);
    scan.records++;
    scan.last_lsn = h.lsn;
    expected = h.lsn + 1;
    off += kRecordHeaderSize + h.length;
  }
  scan.valid_end = off;
  return scan;
}

}  // namespace kiln::wal
