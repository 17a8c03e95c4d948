// Reading a log segment: checks every record and tells a torn tail (the
// last write before a crash, cut) from corruption (damage before the tail,
// an error). Rules (docs/log_format.md "Recovery"):
//   - records must carry consecutive LSNs starting at the segment's name;
//   - in the LAST segment, zeros from a record boundary to the end of the
//     file are preallocated space never written: the log ends there;
//   - a bad or incomplete record in the LAST segment is a torn tail if no
//     intact record follows it; if one does, the log is corrupt;
//   - any bad or incomplete record in an earlier segment is corruption.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "wal/record_format.h"

namespace kiln::wal {

struct SegmentScan {
  uint64_t valid_end = 0;  // offset just past the last intact record (0: header missing too)
  uint64_t records = 0;
  uint64_t last_lsn = 0;   // of the last intact record, 0 if none
  uint64_t torn_bytes = 0; // bytes after valid_end (only ever in the last segment)
  uint64_t zero_tail_bytes = 0;  // when not torn: zeros after valid_end (preallocated, never written)
  std::string torn_reason;
  uint32_t format_version = 0;  // of the segment header (0: header missing)
};

using RecordFn = std::function<void(const RecordHeader&, std::string_view payload, uint64_t offset)>;

// Throws kiln::Error(kCorruption) naming `path` and the offset.
SegmentScan scan_segment(std::string_view bytes, const std::string& path, uint64_t first_lsn, bool is_last,
                         const RecordFn& fn);

}  // namespace kiln::wal
