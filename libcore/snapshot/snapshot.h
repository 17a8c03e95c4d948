// Writing, reading and installing snapshots (snapshot_format.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "io/file_system.h"
#include "write/write_batch.h"

namespace kiln::snapshot {

struct SnapshotInfo {
  uint64_t lsn = 0;
  uint64_t bytes = 0;    // file size
  uint64_t entries = 0;  // mutations (definitions + documents)
  int64_t created_ms = 0;
};

// What a snapshot holds: definitions, then every collection's documents.
struct Contents {
  uint64_t lsn = 0;
  std::vector<Mutation> definitions;
  std::vector<std::pair<std::string, std::vector<DocRef>>> collections;
};

// Streams `contents` to `path` (truncating it) and fsyncs it.
SnapshotInfo write_snapshot_file(io::FileSystem& fs, const std::string& path, const Contents& contents);

// Streams the snapshot at `path`: calls `fn` with each block's mutations, in
// order. Holds at most a few blocks in RAM (blocks are decompressed on
// other threads while earlier ones are applied). Throws kCorruption naming
// the file and offset on any checksum, size or format failure.
using BlockFn = std::function<void(std::vector<Mutation>&&)>;
SnapshotInfo read_snapshot_file(io::FileSystem& fs, const std::string& path, const BlockFn& fn);

// Makes the snapshot durable under `<dir>/snapshot`: writes snapshot.tmp,
// fsyncs it, hard-links the previous snapshot into backup/ (when
// backups_kept > 0), renames the new one into place, fsyncs the directory,
// and prunes backups beyond `backups_kept`.
SnapshotInfo install_snapshot(io::FileSystem& fs, const std::string& dir, const Contents& contents,
                              uint64_t previous_lsn, uint32_t backups_kept);

}  // namespace kiln::snapshot
