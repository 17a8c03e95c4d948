// Wal: the write-ahead log of one database directory (`<db>/wal/`), in
// numbered segments (record_format.h). It appends records in LSN order and
// makes them durable with group commit: a writer that needs its record on
// disk waits in wait_durable(); the first waiter becomes the flusher, and
// one write() plus one fdatasync cover every record appended before it
// started, while the others wait for it (and the next flusher picks up
// whatever arrived meanwhile). In sync mode appended records stay in memory
// until a flusher writes them (nobody was told they are durable, and the
// flusher then issues one write for the whole group; it first waits, at
// most 200 µs, for writers that announced themselves or that the previous
// flush released, see writer_arriving()); in async mode each
// append is written at once and a background thread syncs every
// flush_interval_ms.
//
// The current segment is kept preallocated (zeros) ahead of its last
// record, so that a commit's fdatasync has no file-size change to journal;
// the zeros are cut when the segment is rolled or closed, and a reader
// takes zeros at the end of the last segment as the end of the log.
//
// Failure is sticky: once an append or a sync fails, every later append and
// wait throws that error — the database refuses writes rather than pretend.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "io/file_system.h"
#include "util/error.h"
#include "wal/record_format.h"

namespace kiln::wal {

struct WalOptions {
  io::FileSystem* fs = nullptr;
  std::string dir;               // <db>/wal
  std::string archive_dir;       // covered segments move here; empty = delete them
  uint64_t segment_bytes = 64ull << 20;
  bool read_only = false;
  bool async = false;
  int flush_interval_ms = 50;
  uint64_t max_pending_bytes = 16ull << 20;  // async: unsynced bytes before writers wait
  uint64_t preallocate_bytes = 1ull << 20;   // how far ahead the segment is preallocated (0 = never)
};

struct WalStats {
  uint64_t bytes = 0;
  uint64_t segments = 0;
  uint64_t durable_lsn = 0;
  uint64_t torn_bytes_cut = 0;  // at open
  std::string torn_reason;
  std::string torn_file;
  int64_t last_flush_ms = 0;
  uint64_t flushes = 0;
  uint64_t preallocate_failures = 0;  // each one left a segment on plain appends
};

using ReplayFn = std::function<void(uint64_t lsn, int64_t timestamp_ms, std::string_view payload)>;

class Wal {
 public:
  // Opens the log, calls `replay` for every record with LSN > after_lsn in
  // LSN order, cuts a torn tail (reported in stats; left alone when
  // read-only) and positions the log after the last record. Throws
  // kCorruption for damage before the tail or missing records.
  static std::unique_ptr<Wal> open(const WalOptions& options, uint64_t after_lsn, const ReplayFn& replay);
  ~Wal();

  // The LSN of the last record (or of the snapshot, if later).
  uint64_t last_lsn() const;

  // Appends one record (callers serialize appends, in LSN order). Returns
  // true when an async writer should wait for durability (backpressure).
  bool append(uint64_t lsn, int64_t timestamp_ms, std::string_view payload);
  // The same for a payload that `write_payload(std::string& out)` appends
  // to `out`: it is encoded straight into the record, not copied there.
  template <typename WritePayload>
  bool append_encoded(uint64_t lsn, int64_t timestamp_ms, WritePayload&& write_payload) {
    thread_local std::string record;
    record.assign(kRecordHeaderSize, '\0');
    write_payload(record);
    frame_record(record.data(), static_cast<uint32_t>(record.size() - kRecordHeaderSize), lsn, timestamp_ms,
                 RecordType::kWriteBatch);
    return append_record(lsn, record);
  }
  // Returns once every record up to `lsn` is durable; throws the sticky error.
  void wait_durable(uint64_t lsn);
  // Sync mode: a writer announces itself before it plans its record and
  // leaves once it has appended it (or given up). A flusher waits briefly
  // for announced writers, so that one fdatasync covers their records too
  // instead of each paying for the next one.
  void writer_arriving() { arriving_.fetch_add(1); }
  void writer_left();
  // wait_durable(last appended).
  void flush();
  // Starts a new segment for the next record (the current one is synced first).
  void roll();
  // Removes (or archives) every segment whose records all have LSN <= lsn.
  void remove_covered(uint64_t lsn);
  // Flushes, stops the flusher and closes the segment; throws the first error.
  void close();

  // Called (under the log's lock: keep it short, never call back) whenever
  // the durable LSN advances.
  void set_durable_listener(std::function<void(uint64_t)> fn);

  WalStats stats() const;
  uint64_t bytes() const;
  // The sticky error, if any (code kOk when none).
  Code failure(std::string* message) const;

 private:
  explicit Wal(const WalOptions& options) : opt_(options) {}
  void open_segment_locked(uint64_t first_lsn, bool reuse_existing, uint64_t valid_end);
  // Opens a segment found at open after cutting it to `valid_end` (a torn
  // tail, preallocated zeros): records may follow its last intact one now.
  std::unique_ptr<io::WritableFile> cut_tail(uint64_t first_lsn, uint64_t valid_end);
  // Before a write that ends at `end` in the current segment.
  void preallocate_locked(uint64_t end);
  // Cuts the preallocated zeros off the current segment, durably.
  void trim_locked();
  void roll_locked(std::unique_lock<std::mutex>& lock);
  // One group-commit step by the caller (who set syncing_): writes the
  // buffered records, syncs, then wakes the waiters it made durable.
  void sync_step(std::unique_lock<std::mutex>& lock, bool gather = false);
  // Waits (bounded) until no announced writer is still to append.
  void gather_locked(std::unique_lock<std::mutex>& lock);
  // A writer waiting for a flush it does not run itself.
  struct Waiter {
    uint64_t lsn = 0;
    bool woken = false;  // durable, failed, or asked to become the next flusher
    std::condition_variable cv;
  };
  // Waits until a flush (or a failure) wakes this thread.
  void wait_for_flusher(std::unique_lock<std::mutex>& lock, uint64_t lsn);
  // Wakes the waiters the last flush covered and one more to flush the rest;
  // all of them after a failure.
  void wake_waiters_locked();
  void fail_locked(const Error& e);
  void flusher_loop();

  const WalOptions opt_;
  mutable std::mutex mu_;
  std::condition_variable cv_;  // the async flusher's timer and close()
  // Appends a complete record (append's second half).
  bool append_record(uint64_t lsn, std::string_view record);

  std::shared_ptr<io::WritableFile> file_;  // the segment being appended to
  uint64_t allocated_end_ = 0;  // file_ is preallocated up to here (0: not at all)
  struct Segment {
    uint64_t first_lsn;
    uint64_t bytes;
    bool has_records;
  };
  std::vector<Segment> segments_;  // oldest first; back() is the current one
  uint64_t appended_lsn_ = 0;
  uint64_t durable_lsn_ = 0;
  uint64_t pending_bytes_ = 0;
  std::string buffer_;      // sync mode: records appended but not yet written
  std::string write_buf_;   // the flusher's batch (kept for its capacity)
  std::vector<Waiter*> waiters_;
  std::atomic<int> arriving_{0};        // announced writers yet to append
  std::atomic<bool> gathering_{false};  // a flusher waits on gather_cv_ for them
  uint64_t returning_ = 0;              // waiters the last flush released
  std::condition_variable gather_cv_;
  bool syncing_ = false;
  Code error_code_ = Code::kOk;
  std::string error_;
  WalStats stats_;
  std::function<void(uint64_t)> listener_;
  bool stop_ = false;
  std::thread flusher_;
};

}  // namespace kiln::wal
