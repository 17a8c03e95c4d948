// Facts about the machine and the process: CPU, memory, RSS, disk latency.
#pragma once

#include <cstdint>
#include <string>

namespace kbench {

struct MachineFacts {
  std::string cpu_model;
  unsigned cores = 0;          // online logical CPUs
  uint64_t mem_total_bytes = 0;
  std::string kernel;
  std::string load_avg;        // /proc/loadavg at start: the machine is shared
  std::string data_dir;
  std::string data_fs;         // filesystem type of data_dir
};
MachineFacts machine_facts(const std::string& data_dir);

// fdatasync latency on `dir`, `count` times, writing `record_bytes` each:
// append = to the end of a fresh file (the file grows: the filesystem
// journals the size too); overwrite = into a file written and synced
// beforehand (what a preallocated WAL segment costs). The faster of the two is
// the least a durable commit can cost here.
struct FsyncProbe {
  double median_us = 0;
  double p90_us = 0;
  double rate_per_s = 0;  // 1e6 / median
  int count = 0;
};
FsyncProbe probe_fdatasync(const std::string& dir, int count, bool append, size_t record_bytes = 256);

// This process's resident set (VmRSS) and its peak (VmHWM), in bytes.
uint64_t rss_bytes();
uint64_t peak_rss_bytes();

// Sum of the sizes of the regular files under `path` (or of `path` itself if
// it is a file), apparent size and
// of their allocated blocks.
struct DiskUsage {
  uint64_t bytes = 0;
  uint64_t allocated = 0;
};
DiskUsage disk_usage(const std::string& path);

void remove_tree(const std::string& path);
void make_dirs(const std::string& path);

// The first line of a command's output, "" on failure.
std::string command_line_output(const std::string& cmd);

}  // namespace kbench
