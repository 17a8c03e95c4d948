// Options: how a database is opened, parsed from the options JSON of kiln_open.
#pragma once

#include <string>
#include <string_view>

#include "doc/json_parser.h"

namespace kiln {

enum class Mode { kMemory, kSync, kAsync };

namespace io {
class FileSystem;
}

struct Options {
  Mode mode = Mode::kMemory;
  doc::Limits limits;

  // Durability (docs/durability.md).
  bool read_only = false;
  int flush_interval_ms = 50;                 // async: background fsync period
  uint64_t async_max_pending_bytes = 16ull << 20;  // async: unsynced log bytes before writers wait
  uint64_t segment_bytes = 64ull << 20;       // a log segment is closed past this size
  uint64_t wal_preallocate_bytes = 1ull << 20;  // the segment is preallocated this far ahead (0 = never)
  double compaction_ratio = 2.0;              // snapshot when log bytes > ratio x data bytes in RAM (0 = never)
  uint64_t compaction_min_bytes = 4ull << 20; // ... and the log is at least this big
  uint32_t backups_kept = 2;                  // previous snapshots kept in backup/
  bool archive_wal = false;                   // move covered segments to archive/ instead of deleting
  size_t change_retention = 10000;            // events kept for {"op":"changes"}

  // Not settable from JSON: the file layer (tests inject faults). nullptr = POSIX.
  io::FileSystem* fs = nullptr;
};

// Parses options_json (may be empty: defaults). `has_path` picks the default
// mode (sync with a path, memory without). Unknown members and wrong types
// are INVALID_ARGUMENT naming the member.
Options parse_options(std::string_view options_json, bool has_path);

std::string_view mode_name(Mode mode);

}  // namespace kiln
