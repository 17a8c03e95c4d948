// Db: one open database. The single place that orders a write:
// parse -> validate and plan (WriteBatch) -> log append -> apply to RAM ->
// publish to the change feed -> (sync mode) wait until the record is durable
// -> acknowledge.
//
// Concurrency: writers are serialized by write_mu_ and plan against the
// Store without blocking readers; only the apply step takes state_mu_
// exclusively. Readers share state_mu_, so reads run in parallel and never
// wait for a write's planning. The durability wait happens after write_mu_
// is released, so concurrent writers share one fsync (group commit). A
// reader may therefore see a write whose record is not durable yet; the
// writer is acknowledged only once it is (docs/durability.md). A large set
// request plans its documents on the helper pool too (util/parallel.h),
// still under write_mu_.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "util/rw_mutex.h"
#include <string>
#include <string_view>
#include <thread>

#include "feed/change_feed.h"
#include "options.h"
#include "snapshot/snapshot.h"
#include "store/store.h"
#include "write/write_batch.h"

namespace kiln {

namespace io {
class FileLock;
}
namespace wal {
class Wal;
}

class Db {
 public:
  // path is ignored in memory mode; required otherwise. Opening replays the
  // snapshot and the log (docs/durability.md "Recovery").
  static std::unique_ptr<Db> open(std::string_view path, const Options& options);
  ~Db();

  // Flushes the log, stops background threads and releases the lock.
  // Throws the first error (the database is closed either way).
  void close();

  // Runs one request (QUERY.md) and returns the response body. Throws
  // kiln::Error; KILN_NOT_FOUND outcomes are Error(kNotFound) too.
  std::string execute(std::string_view request_json);

  // Hot paths. get returns false when the document is absent.
  bool get(std::string_view collection, std::string_view key, std::string& out_json) const;
  // Calls fn(const DocRecord&) on the stored record (its bytes are the
  // document's encoding, docs/document_format.md) under the read lock, so
  // nothing is reference-counted; false when the document is absent. fn
  // holds writers off: it copies or converts, and never calls the Db.
  template <typename Fn>
  bool read_record(std::string_view collection, std::string_view key, Fn&& fn) const {
    std::shared_lock lock(state_mu_);
    const DocRecord* r = find_checked(collection, key);
    if (r) fn(*r);
    return r != nullptr;
  }
  uint64_t put(std::string_view collection, std::string_view key, std::string_view doc_json);

  // Makes every write acknowledged so far durable (async mode); throws the
  // log's sticky error. A no-op in memory mode.
  void flush();

  // The change feed (shared: subscriptions may outlive the Db).
  const std::shared_ptr<ChangeFeed>& feed() const { return feed_; }

  const Options& options() const { return options_; }

 private:
  // The record at collection/key, or nullptr; throws for an invalid name.
  // Call with state_mu_ held.
  const DocRecord* find_checked(std::string_view collection, std::string_view key) const;
  Db(std::string path, const Options& options);

  void open_files();
  std::string execute_write(const struct Request& req);
  std::string plan_write(const struct Request& req, class TxnView& view);
  std::string plan_batch(const struct Request& req, class TxnView& view);
  // Under write_mu_: logs, applies and publishes the batch; returns its LSN
  // (0 for an empty batch). *wait: the caller must wait for durability.
  uint64_t commit(WriteBatch batch, bool* wait);
  // After write_mu_ is released: durability wait, compaction trigger.
  void finish_commit(uint64_t lsn, bool wait);
  void check_writable() const;
  // The log whose group commit writers announce themselves to (sync mode).
  wal::Wal* group_commit_wal() const;

  std::string run_snapshot();
  std::string run_stats(const struct Request& req) const;
  std::string run_changes(const struct Request& req) const;
  snapshot::SnapshotInfo take_snapshot();
  void maybe_compact();
  void compaction_loop();
  void snapshot_at_close();
  // False when automatic compaction is off or the log is below
  // compaction_min_bytes; else the log's and the documents' bytes.
  bool log_and_data(uint64_t* log_bytes, uint64_t* data_bytes) const;

  const std::string path_;
  const Options options_;
  io::FileSystem* fs_ = nullptr;
  std::unique_ptr<io::FileLock> lock_;
  std::string registered_path_;  // the canonical path claimed in this process

  std::mutex write_mu_;
  mutable RwMutex state_mu_;
  Store store_;
  uint64_t last_lsn_ = 0;     // write_mu_
  uint64_t applied_lsn_ = 0;  // state_mu_

  std::unique_ptr<wal::Wal> wal_;  // null in memory mode
  std::shared_ptr<ChangeFeed> feed_;

  std::mutex snapshot_mu_;  // one snapshot at a time
  mutable std::mutex info_mu_;
  snapshot::SnapshotInfo snapshot_info_;  // info_mu_
  bool has_snapshot_ = false;              // info_mu_
  uint64_t compactions_ = 0;               // info_mu_
  std::string compaction_error_;           // info_mu_

  std::mutex compact_mu_;
  std::condition_variable compact_cv_;
  bool compact_requested_ = false;
  bool compact_stop_ = false;
  std::thread compactor_;
  bool closed_ = false;
};

}  // namespace kiln
