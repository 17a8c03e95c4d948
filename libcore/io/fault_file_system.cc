#include "io/fault_file_system.h"

#include <algorithm>
#include <cerrno>

namespace kiln::io {

class FaultWritableFile final : public WritableFile {
 public:
  FaultWritableFile(FaultFileSystem& fs, std::unique_ptr<WritableFile> base, uint64_t size)
      : fs_(fs), base_(std::move(base)), size_(size) {}

  // Appends and syncs are atomic with respect to crash(): a write either
  // happened before the power loss or fails.
  void append(std::string_view data) override {
    std::lock_guard lock(fs_.mu_);
    fs_.check_alive(path());
    fs_.appends_++;
    size_t allowed = fs_.take_budget_locked(data.size(), path());
    base_->append(data.substr(0, allowed));
    size_ += allowed;
    fs_.files_[path()].size = size_;
    if (allowed < data.size()) throw_errno(fs_.budget_err_, "Writing", path());
  }

  void preallocate(uint64_t size) override {
    std::lock_guard lock(fs_.mu_);
    fs_.check_alive(path());
    if (int err = fs_.fail_preallocate_) throw_errno(err, "Preallocating", path());
    base_->preallocate(size);
    fs_.preallocations_++;
    FaultFileSystem::FileState& state = fs_.files_[path()];
    state.allocated = std::max(state.allocated, size);
  }

  void trim() override {
    std::lock_guard lock(fs_.mu_);
    fs_.check_alive(path());
    base_->trim();
    fs_.files_[path()].allocated = 0;
  }

  void sync() override {
    fs_.check_alive(path());
    if (fs_.fail_sync_) throw_errno(EIO, "Syncing", path());
    uint64_t size = size_;
    base_->sync();
    std::lock_guard lock(fs_.mu_);
    fs_.check_alive(path());  // the power failed while syncing: not durable
    fs_.syncs_++;
    FaultFileSystem::FileState& state = fs_.files_[path()];
    if (size > state.synced) state.synced = size;
  }

  void close() override { base_->close(); }
  const std::string& path() const override { return base_->path(); }

 private:
  FaultFileSystem& fs_;
  std::unique_ptr<WritableFile> base_;
  std::atomic<uint64_t> size_;
};

void FaultFileSystem::set_write_budget(int64_t bytes, int err) {
  std::lock_guard lock(mu_);
  budget_ = bytes;
  budget_err_ = err;
}

void FaultFileSystem::crash() {
  std::lock_guard lock(mu_);
  dead_ = true;
  for (auto& [path, state] : files_) {
    if (!base_.exists(path)) continue;
    if (base_.file_size(path) > state.synced) base_.truncate(path, state.synced);
    if (state.allocated > state.synced) base_.truncate(path, state.allocated);  // back as zeros
    state.size = state.synced;
  }
}

void FaultFileSystem::check_alive(const std::string& path) const {
  if (dead_) throw_errno(EIO, "Accessing (after simulated power loss)", path);
}

size_t FaultFileSystem::take_budget_locked(size_t n, const std::string& path) {
  if (budget_ < 0) return n;
  if (budget_ == 0) throw_errno(budget_err_, "Writing", path);
  size_t allowed = static_cast<size_t>(std::min<int64_t>(budget_, static_cast<int64_t>(n)));
  budget_ -= static_cast<int64_t>(allowed);
  return allowed;
}

std::unique_ptr<WritableFile> FaultFileSystem::open_append(const std::string& path, bool truncate) {
  check_alive(path);
  bool existed = base_.exists(path);
  auto file = base_.open_append(path, truncate);
  uint64_t size = base_.file_size(path);
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(path);
    FileState s;
    if (truncate || !existed) s.synced = 0;            // new bytes are not durable until synced
    else if (it == files_.end()) s.synced = size;      // written before this layer saw it
    else s.synced = std::min(it->second.synced, size);
    s.size = size;
    files_[path] = s;
  }
  return std::make_unique<FaultWritableFile>(*this, std::move(file), size);
}

std::unique_ptr<SequentialFile> FaultFileSystem::open_read(const std::string& path) {
  check_alive(path);
  return base_.open_read(path);
}

bool FaultFileSystem::exists(const std::string& path) {
  check_alive(path);
  return base_.exists(path);
}

uint64_t FaultFileSystem::file_size(const std::string& path) {
  check_alive(path);
  return base_.file_size(path);
}

std::vector<std::string> FaultFileSystem::list(const std::string& dir) {
  check_alive(dir);
  return base_.list(dir);
}

void FaultFileSystem::make_dir(const std::string& dir) {
  check_alive(dir);
  base_.make_dir(dir);
}

void FaultFileSystem::remove(const std::string& path) {
  check_alive(path);
  base_.remove(path);
  std::lock_guard lock(mu_);
  files_.erase(path);
}

void FaultFileSystem::rename(const std::string& from, const std::string& to) {
  check_alive(from);
  base_.rename(from, to);
  std::lock_guard lock(mu_);
  auto it = files_.find(from);
  if (it != files_.end()) {
    files_[to] = it->second;
    files_.erase(from);
  } else {
    files_.erase(to);
  }
}

void FaultFileSystem::link(const std::string& from, const std::string& to) {
  check_alive(from);
  base_.link(from, to);
}

void FaultFileSystem::truncate(const std::string& path, uint64_t size) {
  check_alive(path);
  base_.truncate(path, size);
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it != files_.end()) {
    it->second.size = size;
    it->second.synced = std::min(it->second.synced, size);
    it->second.allocated = std::min(it->second.allocated, size);
  }
}

void FaultFileSystem::sync_dir(const std::string& dir) {
  check_alive(dir);
  if (fail_sync_) throw_errno(EIO, "Syncing directory", dir);
  base_.sync_dir(dir);
}

std::unique_ptr<FileLock> FaultFileSystem::lock(const std::string& path, bool exclusive) {
  check_alive(path);
  return base_.lock(path, exclusive);
}

}  // namespace kiln::io
