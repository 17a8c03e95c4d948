// FileSystem: every file operation the engine performs goes through this
// interface (LevelDB's Env idea), so tests can swap in a layer that injects
// faults (see fault_file_system.h). Errors are kiln::Error: kNoSpace for
// ENOSPC/EDQUOT, kIoError otherwise, with the path in the message.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::io {

// A file opened for appending. Not synchronized: the owner serializes
// append(), preallocate() and trim() calls; sync() may run concurrently with
// append() (POSIX allows it).
//
// Appends go to the append position (the file's size at open), not to the
// end of the file: preallocate() may have put zeros beyond it, and appends
// overwrite them.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Writes all of `data` at the append position, which moves past it, or
  // throws (a failed append may leave a prefix).
  virtual void append(std::string_view data) = 0;
  // Makes the file at least `size` bytes long, zeros past the append
  // position, with the space allocated: then a sync after an append into it
  // has no new file size to journal. Throws on failure (the file may then be
  // longer than before, with zeros; nothing appended is affected).
  virtual void preallocate(uint64_t size) = 0;
  // Cuts the file at the append position (drops preallocated zeros).
  virtual void trim() = 0;
  // fdatasync: everything appended so far, and the file's size, survive a
  // power loss.
  virtual void sync() = 0;
  virtual void close() = 0;
  virtual const std::string& path() const = 0;
};

// A file read from front to back.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes; returns how many (0 = end of file).
  virtual size_t read(char* buf, size_t n) = 0;
};

// An advisory lock held until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // Opens `path` for appending, creating it if missing; `truncate` empties it.
  virtual std::unique_ptr<WritableFile> open_append(const std::string& path, bool truncate) = 0;
  virtual std::unique_ptr<SequentialFile> open_read(const std::string& path) = 0;

  virtual bool exists(const std::string& path) = 0;
  virtual uint64_t file_size(const std::string& path) = 0;
  // Names (not paths) of the entries of `dir`, without "." and "..".
  virtual std::vector<std::string> list(const std::string& dir) = 0;
  virtual void make_dir(const std::string& dir) = 0;  // no error if it exists
  virtual void remove(const std::string& path) = 0;
  virtual void rename(const std::string& from, const std::string& to) = 0;
  // A second name for a file (hard link); falls back to a copy.
  virtual void link(const std::string& from, const std::string& to) = 0;
  virtual void truncate(const std::string& path, uint64_t size) = 0;
  // Makes renames, creations and removals in `dir` durable.
  virtual void sync_dir(const std::string& dir) = 0;
  // flock: exclusive (one writer) or shared (readers). Throws kLocked when
  // another open file description holds a conflicting lock.
  virtual std::unique_ptr<FileLock> lock(const std::string& path, bool exclusive) = 0;
};

// The real, POSIX file system.
FileSystem& default_file_system();

// Reads a whole file into a string.
std::string read_file(FileSystem& fs, const std::string& path);

// Throws the kiln::Error for an errno value.
[[noreturn]] void throw_errno(int err, std::string_view what, const std::string& path);

inline std::string join(const std::string& dir, std::string_view name) {
  return dir.empty() ? std::string(name) : dir + "/" + std::string(name);
}

}  // namespace kiln::io
