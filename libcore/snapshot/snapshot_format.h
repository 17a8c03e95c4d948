// The snapshot file (docs/log_format.md "Snapshot"): the whole database at
// one LSN, as a stream of zstd-compressed, checksummed blocks of mutations.
//
//   file   := header block* end
//   header := "KILNSNP1" u32 format_version u32 flags u64 lsn i64 created_ms   (32 bytes)
//   block  := u32 compressed_len (>0) u32 raw_len u64 checksum  zstd-frame[compressed_len]
//   end    := u32 0 u32 0 u64 entry_count u64 block_count u64 file_checksum "KILNEND1"  (40 bytes)
//
// block checksum = XXH3_64bits_withSeed(compressed bytes, raw_len); the
// decompressed block is a sequence of whole mutations (wal/batch_codec.h):
// index/schema definitions first, then one kPut per document.
// file_checksum = XXH3_64bits over the header followed by every block
// checksum, so a missing, reordered or truncated block is detected.
// Header flags are reserved for encryption (none implemented): a reader
// rejects flags it does not know.
#pragma once

#include <cstdint>
#include <string_view>

namespace kiln::snapshot {

inline constexpr std::string_view kMagic = "KILNSNP1";
inline constexpr std::string_view kEndMagic = "KILNEND1";
// Version 2: documents may use the tags added in doc/format.h (u8 offset
// tables, stamps, cents); version 1 snapshots are read as they are, and an
// older kilndb refuses a version 2 one instead of misreading it.
inline constexpr uint32_t kFormatVersion = 2;
inline constexpr uint32_t kOldestFormatVersion = 1;
inline constexpr size_t kHeaderSize = 32;
inline constexpr size_t kBlockHeaderSize = 16;
inline constexpr size_t kEndSize = 40;
inline constexpr size_t kBlockRawTarget = 1 << 20;       // a block is cut after ~1 MiB of entries
inline constexpr uint32_t kMaxBlockRaw = 1u << 30;        // sanity limit when reading

inline constexpr std::string_view kFileName = "snapshot";
inline constexpr std::string_view kTempName = "snapshot.tmp";
inline constexpr std::string_view kBackupDir = "backup";

}  // namespace kiln::snapshot
