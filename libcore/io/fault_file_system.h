// FaultFileSystem: a FileSystem over another one that injects the failures
// real disks produce, for tests: fsync errors, writes that stop part-way
// (short write, then ENOSPC or EIO), failed preallocation, and a simulated
// power loss that drops every byte not yet made durable by sync(). Thread-safe.
//
// Limitation: power loss is modeled per file (each file falls back to its
// last synced length); directory entries are assumed durable. Preallocated
// space is modeled at its worst: its size survives a power loss even
// without a sync (the journal may commit it on its own), as zeros after
// whatever was synced.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "io/file_system.h"

namespace kiln::io {

class FaultFileSystem final : public FileSystem {
 public:
  explicit FaultFileSystem(FileSystem& base = default_file_system()) : base_(base) {}

  // Every sync() (file or directory) fails with EIO while set.
  void set_fail_sync(bool fail) { fail_sync_ = fail; }
  // After `bytes` more bytes are appended, appends fail with `err` (ENOSPC,
  // EIO): a write that crosses the budget writes a prefix first (a short
  // write). Negative = no budget.
  void set_write_budget(int64_t bytes, int err);
  // Every WritableFile::preallocate fails with `err` (ENOSPC, EIO; 0 = never).
  void set_fail_preallocate(int err) { fail_preallocate_ = err; }
  // Power loss: every file falls back to its last synced length, and every
  // later operation fails with EIO (the "machine" is off) until revive().
  void crash();
  void revive() { dead_ = false; }

  uint64_t syncs() const { return syncs_; }
  uint64_t appends() const { return appends_; }  // WritableFile::append calls
  uint64_t preallocations() const { return preallocations_; }  // successful preallocate calls

  std::unique_ptr<WritableFile> open_append(const std::string& path, bool truncate) override;
  std::unique_ptr<SequentialFile> open_read(const std::string& path) override;
  bool exists(const std::string& path) override;
  uint64_t file_size(const std::string& path) override;
  std::vector<std::string> list(const std::string& dir) override;
  void make_dir(const std::string& dir) override;
  void remove(const std::string& path) override;
  void rename(const std::string& from, const std::string& to) override;
  void link(const std::string& from, const std::string& to) override;
  void truncate(const std::string& path, uint64_t size) override;
  void sync_dir(const std::string& dir) override;
  std::unique_ptr<FileLock> lock(const std::string& path, bool exclusive) override;

 private:
  friend class FaultWritableFile;
  void check_alive(const std::string& path) const;
  // How much of `n` bytes may be written now; throws once the budget is 0.
  size_t take_budget_locked(size_t n, const std::string& path);

  FileSystem& base_;
  std::atomic<bool> fail_sync_{false};
  std::atomic<bool> dead_{false};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> appends_{0};
  std::atomic<uint64_t> preallocations_{0};
  std::atomic<int> fail_preallocate_{0};
  std::mutex mu_;
  int64_t budget_ = -1;
  int budget_err_ = 0;
  struct FileState {
    uint64_t size = 0;
    uint64_t synced = 0;
    uint64_t allocated = 0;  // preallocated length: zeros past `synced` after a power loss
  };
  std::map<std::string, FileState> files_;  // files written through this layer
};

}  // namespace kiln::io
