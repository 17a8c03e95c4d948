#include "wal/wal.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "util/clock.h"
#include "wal/log_reader.h"

namespace kiln::wal {
namespace {

[[noreturn]] void corrupt(const std::string& message) { throw Error(Code::kCorruption, message); }

}  // namespace

std::unique_ptr<Wal> Wal::open(const WalOptions& options, uint64_t after_lsn, const ReplayFn& replay) {
  std::unique_ptr<Wal> wal(new Wal(options));
  io::FileSystem& fs = *options.fs;
  if (!options.read_only) fs.make_dir(options.dir);

  std::vector<uint64_t> firsts;
  if (fs.exists(options.dir)) {
    for (const std::string& name : fs.list(options.dir)) {
      uint64_t first;
      if (parse_segment_name(name, &first)) firsts.push_back(first);
    }
  }
  std::sort(firsts.begin(), firsts.end());

  uint64_t last_lsn = after_lsn;    // highest LSN known (snapshot or log)
  uint64_t expected_next = 0;       // the LSN the next segment must start at
  SegmentScan tail;
  for (size_t i = 0; i < firsts.size(); ++i) {
    std::string path = io::join(options.dir, segment_name(firsts[i]));
    if (i == 0 && firsts[i] > after_lsn + 1) {
      corrupt("WAL is missing records: the oldest segment '" + path + "' starts at LSN " +
              std::to_string(firsts[i]) + " but the snapshot covers only up to LSN " + std::to_string(after_lsn));
    }
    if (i > 0 && firsts[i] > after_lsn + 1 && firsts[i] != expected_next) {
      corrupt("WAL is missing records: segment '" + path + "' starts at LSN " + std::to_string(firsts[i]) +
              ", expected " + std::to_string(expected_next));
    }
    std::string bytes = io::read_file(fs, path);
    bool is_last = i + 1 == firsts.size();
    SegmentScan scan = scan_segment(bytes, path, firsts[i], is_last,
                                    [&](const RecordHeader& h, std::string_view payload, uint64_t offset) {
                                      if (h.lsn <= after_lsn) return;
                                      try {
                                        replay(h.lsn, h.timestamp_ms, payload);
                                      } catch (const Error& e) {
                                        if (e.code() != Code::kCorruption) throw;
                                        corrupt("WAL segment '" + path + "' record at offset " +
                                                std::to_string(offset) + ": " + e.what());
                                      }
                                    });
    expected_next = scan.records ? scan.last_lsn + 1 : firsts[i];
    last_lsn = std::max(last_lsn, scan.last_lsn);
    wal->segments_.push_back({firsts[i], scan.valid_end, scan.records > 0});
    wal->stats_.bytes += scan.valid_end;
    if (is_last) {
      tail = scan;
      if (scan.torn_bytes) {
        wal->stats_.torn_bytes_cut = scan.torn_bytes;
        wal->stats_.torn_reason = scan.torn_reason;
        wal->stats_.torn_file = path;
      }
    }
  }
  wal->appended_lsn_ = wal->durable_lsn_ = last_lsn;
  wal->stats_.durable_lsn = last_lsn;
  if (options.read_only) return wal;

  std::unique_lock lock(wal->mu_);
  const Segment* cur = wal->segments_.empty() ? nullptr : &wal->segments_.back();
  // Keep appending to the last segment when the next record continues it
  // and it is of this format version (or its header is to be written again).
  bool continues = cur && (cur->has_records ? tail.last_lsn + 1 == last_lsn + 1 : cur->first_lsn == last_lsn + 1);
  bool current_format = tail.format_version == kFormatVersion || tail.valid_end < kSegmentHeaderSize;
  if (continues && current_format && cur->bytes < options.segment_bytes) {
    wal->open_segment_locked(cur->first_lsn, true, tail.valid_end);
  } else if (continues && !cur->has_records) {
    // An empty segment of an older version (its name is the next LSN's):
    // written again from the header.
    wal->stats_.bytes -= tail.valid_end;
    wal->open_segment_locked(cur->first_lsn, true, 0);
  } else {
    if (cur) wal->cut_tail(cur->first_lsn, tail.valid_end)->sync();  // it stops being the last segment
    wal->open_segment_locked(last_lsn + 1, false, 0);
  }
  lock.unlock();
  if (options.async) wal->flusher_ = std::thread([w = wal.get()] { w->flusher_loop(); });
  return wal;
}

Wal::~Wal() {
  try {
    close();
  } catch (...) {
    // close() errors were already reported to anyone who flushed; a
    // destructor must not throw.
  }
}

void Wal::open_segment_locked(uint64_t first_lsn, bool reuse_existing, uint64_t valid_end) {
  io::FileSystem& fs = *opt_.fs;
  std::string path = io::join(opt_.dir, segment_name(first_lsn));
  // Preallocated only at its first write: the header is durable by then, so
  // a crash never leaves a segment of nothing but zeros.
  allocated_end_ = 0;
  if (reuse_existing) {
    file_ = cut_tail(first_lsn, valid_end);
    if (valid_end < kSegmentHeaderSize) {  // even the header was torn: start the file again
      file_ = fs.open_append(path, true);
      file_->append(segment_header());
      stats_.bytes += kSegmentHeaderSize - valid_end;
      segments_.back().bytes = kSegmentHeaderSize;
    }
    file_->sync();
  } else {
    if (!segments_.empty() && segments_.back().first_lsn >= first_lsn) {
      throw Error(Code::kInternal, "log segment '" + path + "' would overwrite an existing one");
    }
    file_ = fs.open_append(path, true);
    file_->append(segment_header());
    file_->sync();
    fs.sync_dir(opt_.dir);
    segments_.push_back({first_lsn, kSegmentHeaderSize, false});
    stats_.bytes += kSegmentHeaderSize;
  }
}

std::unique_ptr<io::WritableFile> Wal::cut_tail(uint64_t first_lsn, uint64_t valid_end) {
  io::FileSystem& fs = *opt_.fs;
  std::string path = io::join(opt_.dir, segment_name(first_lsn));
  // After a crash the zeros are still there, and a record appended after
  // them would be hidden (or look like corruption) behind them.
  if (fs.file_size(path) != valid_end) fs.truncate(path, valid_end);
  return fs.open_append(path, false);
}

void Wal::preallocate_locked(uint64_t end) {
  if (end <= allocated_end_ || opt_.preallocate_bytes == 0) return;
  uint64_t target = end + std::min(opt_.preallocate_bytes, opt_.segment_bytes);
  try {
    file_->preallocate(target);
    allocated_end_ = target;
  } catch (const Error&) {
    // Preallocation only saves time: go on with plain appends (which report
    // a real ENOSPC or EIO themselves). The file may have grown anyway, so
    // it is still trimmed; no retry before the next segment.
    stats_.preallocate_failures++;
    allocated_end_ = UINT64_MAX;
  }
}

void Wal::trim_locked() {
  if (allocated_end_ == 0) return;
  // Only the last segment may end in zeros: sync the cut before a new one starts.
  file_->trim();
  file_->sync();
  allocated_end_ = 0;
}

uint64_t Wal::last_lsn() const {
  std::lock_guard lock(mu_);
  return appended_lsn_;
}

bool Wal::append(uint64_t lsn, int64_t timestamp_ms, std::string_view payload) {
  return append_encoded(lsn, timestamp_ms, [payload](std::string& out) { out.append(payload); });
}

bool Wal::append_record(uint64_t lsn, std::string_view record) {
  std::unique_lock lock(mu_);
  if (error_code_ != Code::kOk) throw Error(error_code_, error_);
  if (opt_.read_only || !file_) throw Error(Code::kReadOnly, "The log is read-only");
  if (segments_.back().has_records && segments_.back().bytes + record.size() > opt_.segment_bytes) {
    roll_locked(lock);
  }
  if (opt_.async) {
    try {
      preallocate_locked(segments_.back().bytes + record.size());
      file_->append(record);
    } catch (const Error& e) {
      fail_locked(e);  // the segment may now end in a partial record: no record may follow it
      throw;
    }
  } else {
    buffer_ += record;
  }
  appended_lsn_ = lsn;
  Segment& seg = segments_.back();
  seg.bytes += record.size();
  seg.has_records = true;
  stats_.bytes += record.size();
  pending_bytes_ += record.size();
  return opt_.async && pending_bytes_ > opt_.max_pending_bytes;
}

void Wal::fail_locked(const Error& e) {
  if (error_code_ != Code::kOk) return;
  error_code_ = e.code() == Code::kNoSpace ? Code::kNoSpace : Code::kIoError;
  error_ = std::string("The database refuses writes after a log failure: ") + e.what();
  buffer_.clear();  // never written: no record may follow a failure
  wake_waiters_locked();
}

void Wal::writer_left() {
  // Seq_cst on both flags: either the flusher sees 0 before it waits, or we
  // see it gathering and wake it under mu_ (so the wake cannot be lost).
  if (arriving_.fetch_sub(1) == 1 && gathering_.load()) {
    std::lock_guard lock(mu_);
    gather_cv_.notify_one();
  }
}

void Wal::gather_locked(std::unique_lock<std::mutex>& lock) {
  // Long enough for a few writers to plan and append a document, short
  // next to a slow disk's fdatasync; it bounds the wait for a writer that
  // is descheduled or does not come back.
  constexpr auto kLimit = std::chrono::microseconds(200);
  // Writers the last flush released tend to write again at once: without
  // waiting for them, 8 writers settle into two alternating half groups.
  uint64_t returning = std::exchange(returning_, 0);
  uint64_t start = appended_lsn_;
  auto missing = [&] { return arriving_.load() > 0 || appended_lsn_ - start < returning; };
  if (opt_.async || !missing()) return;
  gathering_.store(true);
  auto deadline = std::chrono::steady_clock::now() + kLimit;
  while (missing() && error_code_ == Code::kOk) {
    if (gather_cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
  }
  gathering_.store(false);
}

void Wal::sync_step(std::unique_lock<std::mutex>& lock, bool gather) {
  if (gather) gather_locked(lock);
  if (error_code_ != Code::kOk) {  // failed while gathering (fail_locked woke everyone)
    syncing_ = false;
    return;
  }
  uint64_t target = appended_lsn_;
  if (!buffer_.empty()) preallocate_locked(segments_.back().bytes);  // the buffer ends the segment
  std::shared_ptr<io::WritableFile> file = file_;
  pending_bytes_ = 0;
  write_buf_.clear();
  write_buf_.swap(buffer_);  // only the flusher writes, so records reach the file in LSN order
  lock.unlock();
  bool ok = true;
  Error failure(Code::kOk, "");
  try {
    if (!write_buf_.empty()) file->append(write_buf_);
    file->sync();
  } catch (const Error& e) {
    ok = false;
    failure = e;
  }
  lock.lock();
  syncing_ = false;
  if (ok) {
    if (target > durable_lsn_) {
      durable_lsn_ = target;
      if (listener_) listener_(durable_lsn_);
    }
    stats_.last_flush_ms = now_millis();
    stats_.flushes++;
    wake_waiters_locked();
  } else {
    // Never retry: a write may have left a partial record, and after a
    // failed fsync the kernel may have dropped the dirty pages.
    fail_locked(failure);
  }
}

void Wal::wake_waiters_locked() {
  // Waking only these (not every waiter) spares the ones a flush did not
  // cover a futile wake-up and a fight for mu_.
  bool failed = error_code_ != Code::kOk;
  bool next_flusher = false;
  size_t kept = 0;
  for (Waiter* w : waiters_) {
    if (failed || w->lsn <= durable_lsn_ || !next_flusher) {
      if (!failed && w->lsn > durable_lsn_) next_flusher = true;  // it will find no flush running
      else returning_++;
      w->woken = true;
      w->cv.notify_one();
    } else {
      waiters_[kept++] = w;
    }
  }
  waiters_.resize(kept);
}

void Wal::wait_for_flusher(std::unique_lock<std::mutex>& lock, uint64_t lsn) {
  Waiter self;
  self.lsn = lsn;
  waiters_.push_back(&self);
  // Whoever sets woken also removes us from waiters_, under mu_.
  self.cv.wait(lock, [&] { return self.woken; });
}

void Wal::wait_durable(uint64_t lsn) {
  std::unique_lock lock(mu_);
  while (durable_lsn_ < lsn) {
    if (error_code_ != Code::kOk) throw Error(error_code_, error_);
    if (!syncing_) {
      syncing_ = true;
      sync_step(lock, true);
    } else {
      wait_for_flusher(lock, lsn);
    }
  }
}

void Wal::flush() {
  uint64_t target;
  {
    std::lock_guard lock(mu_);
    if (error_code_ != Code::kOk) throw Error(error_code_, error_);
    target = appended_lsn_;
  }
  wait_durable(target);
}

void Wal::roll() {
  std::unique_lock lock(mu_);
  if (error_code_ != Code::kOk) throw Error(error_code_, error_);
  if (!file_ || !segments_.back().has_records) return;
  roll_locked(lock);
}

void Wal::roll_locked(std::unique_lock<std::mutex>& lock) {
  // Sync the old segment first: only the last segment may ever end torn.
  // sync_step drops the lock while it syncs and an append (from a writer,
  // when the roll comes from a snapshot) may land meanwhile, so loop until
  // the old segment is durable to its end with the lock held.
  while (syncing_ || durable_lsn_ < appended_lsn_) {
    if (error_code_ != Code::kOk) throw Error(error_code_, error_);
    if (syncing_) {
      wait_for_flusher(lock, appended_lsn_);
    } else {
      syncing_ = true;
      sync_step(lock);
    }
  }
  if (error_code_ != Code::kOk) throw Error(error_code_, error_);
  // Another roll (a full segment vs. a snapshot) may have run while this one
  // waited: the current segment is then new and empty, and stays.
  if (!segments_.back().has_records) return;
  try {
    trim_locked();
    file_->close();
    open_segment_locked(appended_lsn_ + 1, false, 0);
  } catch (const Error& e) {
    fail_locked(e);
    throw;
  }
}

void Wal::remove_covered(uint64_t lsn) {
  std::lock_guard lock(mu_);
  io::FileSystem& fs = *opt_.fs;
  size_t removable = 0;
  while (removable + 1 < segments_.size() && segments_[removable + 1].first_lsn <= lsn + 1) ++removable;
  if (removable == 0) return;
  if (!opt_.archive_dir.empty()) fs.make_dir(opt_.archive_dir);
  for (size_t i = 0; i < removable; ++i) {
    std::string name = segment_name(segments_[i].first_lsn);
    if (opt_.archive_dir.empty()) {
      fs.remove(io::join(opt_.dir, name));
    } else {
      fs.rename(io::join(opt_.dir, name), io::join(opt_.archive_dir, name));
    }
    stats_.bytes -= segments_[i].bytes;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(removable));
  fs.sync_dir(opt_.dir);
  if (!opt_.archive_dir.empty()) fs.sync_dir(opt_.archive_dir);
}

void Wal::flusher_loop() {
  std::unique_lock lock(mu_);
  auto interval = std::chrono::milliseconds(opt_.flush_interval_ms);
  while (!stop_) {
    cv_.wait_for(lock, interval, [&] { return stop_; });
    if (stop_) break;
    if (error_code_ == Code::kOk && !syncing_ && durable_lsn_ < appended_lsn_) {
      syncing_ = true;
      sync_step(lock);
    }
  }
}

void Wal::close() {
  {
    std::lock_guard lock(mu_);
    if (stop_) return;
    stop_ = true;
    cv_.notify_all();
  }
  if (flusher_.joinable()) flusher_.join();
  if (!file_) return;
  std::string message;
  Code code = failure(&message);
  if (code == Code::kOk) flush();
  std::lock_guard lock(mu_);
  if (code == Code::kOk) {
    trim_locked();
  } else {
    try {
      file_->trim();  // best effort, so that a failed write leaves what it would without preallocation
    } catch (const Error&) {
      // The reader copes with the zeros; the first error is what close reports.
    }
  }
  file_->close();
  file_.reset();
  if (code != Code::kOk) throw Error(code, message);
}

void Wal::set_durable_listener(std::function<void(uint64_t)> fn) {
  std::lock_guard lock(mu_);
  listener_ = std::move(fn);
}

WalStats Wal::stats() const {
  std::lock_guard lock(mu_);
  WalStats s = stats_;
  s.segments = segments_.size();
  s.durable_lsn = durable_lsn_;
  return s;
}

uint64_t Wal::bytes() const {
  std::lock_guard lock(mu_);
  return stats_.bytes;
}

Code Wal::failure(std::string* message) const {
  std::lock_guard lock(mu_);
  if (message) *message = error_;
  return error_code_;
}

}  // namespace kiln::wal
