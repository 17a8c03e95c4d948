// The POSIX implementation of FileSystem.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "io/file_system.h"
#include "util/error.h"

namespace kiln::io {

void throw_errno(int err, std::string_view what, const std::string& path) {
  Code code = (err == ENOSPC || err == EDQUOT) ? Code::kNoSpace : Code::kIoError;
  throw Error(code, std::string(what) + " '" + path + "' failed: " + std::strerror(err));
}

namespace {

// fallocate where there is one (Linux); elsewhere EOPNOTSUPP, so that the
// caller extends the file sparsely instead.
int allocate_space(int fd, uint64_t from, uint64_t len) {
#ifdef __linux__
  int rc;
  do {
    rc = ::fallocate(fd, 0, static_cast<off_t>(from), static_cast<off_t>(len));
  } while (rc != 0 && errno == EINTR);
  return rc;
#else
  (void)fd, (void)from, (void)len;
  errno = EOPNOTSUPP;
  return -1;
#endif
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t pos) : fd_(fd), path_(std::move(path)), pos_(pos) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // pwrite at our own position, not O_APPEND: the end of the file may be
  // preallocated zeros that appends must overwrite.
  void append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::pwrite(fd_, data.data(), data.size(), static_cast<off_t>(pos_));
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno(errno, "Writing", path_);
      }
      data.remove_prefix(static_cast<size_t>(n));
      pos_ += static_cast<uint64_t>(n);
    }
  }

  void preallocate(uint64_t size) override {
    if (size <= pos_ || allocate_space(fd_, pos_, size - pos_) == 0) return;
    // No fallocate here: a sparse extension still fixes the size ahead.
    if (errno != EOPNOTSUPP || !extend_to(size)) throw_errno(errno, "Preallocating", path_);
  }

  void trim() override {
    if (::ftruncate(fd_, static_cast<off_t>(pos_)) != 0) throw_errno(errno, "Truncating", path_);
  }

  void sync() override {
    if (::fdatasync(fd_) != 0) throw_errno(errno, "Syncing", path_);
  }

  void close() override {
    if (fd_ >= 0 && ::close(std::exchange(fd_, -1)) != 0) throw_errno(errno, "Closing", path_);
  }

  const std::string& path() const override { return path_; }

 private:
  // ftruncate up to `size` unless the file is already longer; false on error.
  bool extend_to(uint64_t size) {
    struct stat st;
    if (::fstat(fd_, &st) != 0) return false;
    return static_cast<uint64_t>(st.st_size) >= size || ::ftruncate(fd_, static_cast<off_t>(size)) == 0;
  }

  int fd_;
  std::string path_;
  uint64_t pos_;  // the append position
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixSequentialFile() override { ::close(fd_); }

  size_t read(char* buf, size_t n) override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::read(fd_, buf + done, n - done);
      if (r < 0) {
        if (errno == EINTR) continue;
        throw_errno(errno, "Reading", path_);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }

 private:
  int fd_;
  std::string path_;
};

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  std::unique_ptr<WritableFile> open_append(const std::string& path, bool truncate) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : 0), 0644);
    if (fd < 0) throw_errno(errno, "Opening", path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      throw_errno(err, "Inspecting", path);
    }
    return std::make_unique<PosixWritableFile>(fd, path, static_cast<uint64_t>(st.st_size));
  }

  std::unique_ptr<SequentialFile> open_read(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw_errno(errno, "Opening", path);
    return std::make_unique<PosixSequentialFile>(fd, path);
  }

  bool exists(const std::string& path) override {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
  }

  uint64_t file_size(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) throw_errno(errno, "Inspecting", path);
    return static_cast<uint64_t>(st.st_size);
  }

  std::vector<std::string> list(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (!d) throw_errno(errno, "Listing", dir);
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    ::closedir(d);
    return names;
  }

  void make_dir(const std::string& dir) override {
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) throw_errno(errno, "Creating directory", dir);
  }

  void remove(const std::string& path) override {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) throw_errno(errno, "Removing", path);
  }

  void rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) throw_errno(errno, "Renaming", from);
  }

  void link(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) == 0) return;
    if (errno != EPERM && errno != EXDEV && errno != EMLINK && errno != ENOTSUP) throw_errno(errno, "Linking", from);
    std::string data = read_file(*this, from);  // file systems without hard links
    auto out = open_append(to, true);
    out->append(data);
    out->sync();
    out->close();
  }

  void truncate(const std::string& path, uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) throw_errno(errno, "Truncating", path);
  }

  void sync_dir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) throw_errno(errno, "Opening directory", dir);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) throw_errno(err, "Syncing directory", dir);
  }

  std::unique_ptr<FileLock> lock(const std::string& path, bool exclusive) override {
    int fd = ::open(path.c_str(), (exclusive ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0644);
    if (fd < 0) throw_errno(errno, "Opening lock file", path);
    if (::flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        throw Error(Code::kLocked, "The database is locked by another process ('" + path +
                                       "' is held); close it there or open read-only elsewhere");
      }
      throw_errno(err, "Locking", path);
    }
    return std::make_unique<PosixFileLock>(fd);
  }
};

}  // namespace

FileSystem& default_file_system() {
  static PosixFileSystem fs;
  return fs;
}

std::string read_file(FileSystem& fs, const std::string& path) {
  auto file = fs.open_read(path);
  std::string out;
  char buf[1 << 16];
  while (size_t n = file->read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

}  // namespace kiln::io
