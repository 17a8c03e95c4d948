#include "support/sysinfo.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/timing.h"

namespace kbench {
namespace {

uint64_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::stoull(line.substr(n + 1)) * 1024;
    }
  }
  return 0;
}

std::string fs_type(const std::string& dir) {
  // Match the longest mount point that prefixes dir.
  std::ifstream in("/proc/mounts");
  std::string dev, mnt, type, rest, best_type = "?";
  size_t best = 0;
  std::string abs = std::filesystem::weakly_canonical(dir).string();
  while (in >> dev >> mnt >> type && std::getline(in, rest)) {
    bool prefix = abs.compare(0, mnt.size(), mnt) == 0 &&
                  (abs.size() == mnt.size() || mnt == "/" || abs[mnt.size()] == '/');
    if (prefix && mnt.size() >= best) {
      best = mnt.size();
      best_type = type + " (" + dev + " on " + mnt + ")";
    }
  }
  return best_type;
}

}  // namespace

MachineFacts machine_facts(const std::string& data_dir) {
  MachineFacts f;
  std::ifstream cpu("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpu, line)) {
    if (line.rfind("model name", 0) == 0) {
      f.cpu_model = line.substr(line.find(':') + 2);
      break;
    }
  }
  f.cores = std::thread::hardware_concurrency();
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      f.mem_total_bytes = std::stoull(line.substr(9)) * 1024;
      break;
    }
  }
  utsname u{};
  if (uname(&u) == 0) f.kernel = std::string(u.sysname) + " " + u.release + " " + u.machine;
  std::ifstream load("/proc/loadavg");
  std::getline(load, f.load_avg);
  f.data_dir = data_dir;
  f.data_fs = fs_type(data_dir);
  return f;
}

FsyncProbe probe_fdatasync(const std::string& dir, int count, bool append, size_t record_bytes) {
  std::string path = dir + "/fsync-probe.tmp";
  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("fsync probe: cannot create " + path + ": " + std::strerror(errno));
  auto fail = [&](const char* what) {
    ::close(fd);
    ::unlink(path.c_str());
    throw std::runtime_error(std::string("fsync probe: ") + what + ": " + std::strerror(errno));
  };
  std::vector<char> record(record_bytes, 'x');
  size_t total = record_bytes * static_cast<size_t>(count);
  if (!append) {
    // Write the whole file first and make it (and its size) durable.
    std::vector<char> zeros(total, 0);
    if (::pwrite(fd, zeros.data(), zeros.size(), 0) != static_cast<ssize_t>(zeros.size()) || ::fsync(fd) != 0) {
      fail("prefill");
    }
  }
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    off_t at = static_cast<off_t>(record_bytes) * i;
    Stopwatch sw;
    if (::pwrite(fd, record.data(), record.size(), at) != static_cast<ssize_t>(record.size())) fail("pwrite");
    if (::fdatasync(fd) != 0) fail("fdatasync");
    us.push_back(sw.seconds() * 1e6);
  }
  ::close(fd);
  ::unlink(path.c_str());
  FsyncProbe p;
  p.count = count;
  p.median_us = median(us);
  p.p90_us = percentile(us, 0.90);
  p.rate_per_s = p.median_us > 0 ? 1e6 / p.median_us : 0;
  return p;
}

uint64_t rss_bytes() { return status_kib("VmRSS"); }
uint64_t peak_rss_bytes() { return status_kib("VmHWM"); }

DiskUsage disk_usage(const std::string& path) {
  DiskUsage u;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return u;
  struct stat top {};
  if (::lstat(path.c_str(), &top) == 0 && S_ISREG(top.st_mode)) {
    u.bytes = static_cast<uint64_t>(top.st_size);
    u.allocated = static_cast<uint64_t>(top.st_blocks) * 512;
    return u;
  }
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      u.bytes += static_cast<uint64_t>(st.st_size);
      u.allocated += static_cast<uint64_t>(st.st_blocks) * 512;
    }
  }
  return u;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void make_dirs(const std::string& path) { std::filesystem::create_directories(path); }

std::string command_line_output(const std::string& cmd) {
  FILE* p = ::popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p) return "";
  char buf[512];
  std::string out;
  if (std::fgets(buf, sizeof buf, p)) out = buf;
  ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

}  // namespace kbench
