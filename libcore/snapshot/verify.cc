#include "snapshot/verify.h"

#include <algorithm>
#include <vector>

#include "doc/json_writer.h"
#include "snapshot/snapshot.h"
#include "snapshot/snapshot_format.h"
#include "util/error.h"
#include "wal/batch_codec.h"
#include "wal/log_reader.h"
#include "wal/wal.h"

namespace kiln::snapshot {
namespace {

struct Report {
  std::vector<std::string> problems, warnings, files;

  void file(std::string_view kind, const std::string& path, bool ok, const std::string& detail) {
    std::string f = "{\"detail\":";
    doc::write_json_string(detail, f);
    f += ",\"file\":";
    doc::write_json_string(path, f);
    f += ",\"kind\":";
    doc::write_json_string(kind, f);
    f += ok ? ",\"ok\":true}" : ",\"ok\":false}";
    files.push_back(std::move(f));
  }

  static void list(std::string& out, std::string_view name, const std::vector<std::string>& items, bool raw) {
    out += '"';
    out += name;
    out += "\":[";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += ',';
      if (raw) out += items[i];
      else doc::write_json_string(items[i], out);
    }
    out += ']';
  }

  std::string json() const {
    std::string out = "{";
    list(out, "files", files, true);
    out += problems.empty() ? ",\"ok\":true," : ",\"ok\":false,";
    list(out, "problems", problems, false);
    out += ',';
    list(out, "warnings", warnings, false);
    out += '}';
    return out;
  }
};

uint64_t check_snapshot(io::FileSystem& fs, const std::string& path, std::string_view kind, Report& report) {
  try {
    SnapshotInfo info = read_snapshot_file(fs, path, [](std::vector<Mutation>&&) {});
    report.file(kind, path, true,
                "LSN " + std::to_string(info.lsn) + ", " + std::to_string(info.entries) + " entries, " +
                    std::to_string(info.bytes) + " bytes");
    return info.lsn;
  } catch (const Error& e) {
    report.problems.push_back(e.what());
    report.file(kind, path, false, e.what());
    return 0;
  }
}

}  // namespace

std::string verify_database(io::FileSystem& fs, const std::string& path) {
  if (!fs.exists(path)) throw Error(Code::kIoError, "No database at '" + path + "'");
  Report report;

  uint64_t snapshot_lsn = 0;
  std::string snap = io::join(path, kFileName);
  if (fs.exists(snap)) snapshot_lsn = check_snapshot(fs, snap, "snapshot", report);

  std::string backups = io::join(path, kBackupDir);
  if (fs.exists(backups)) {
    std::vector<std::string> names = fs.list(backups);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) check_snapshot(fs, io::join(backups, name), "backup", report);
  }

  // The live log, exactly as open would read it (read-only: nothing is cut).
  wal::WalOptions wopts;
  wopts.fs = &fs;
  wopts.dir = io::join(path, "wal");
  wopts.read_only = true;
  try {
    uint64_t records = 0;
    auto log = wal::Wal::open(wopts, snapshot_lsn, [&](uint64_t lsn, int64_t, std::string_view payload) {
      wal::decode_batch(payload, "LSN " + std::to_string(lsn));
      ++records;
    });
    wal::WalStats s = log->stats();
    report.file("wal", wopts.dir, true,
                std::to_string(s.segments) + " segments, " + std::to_string(s.bytes) + " bytes, " +
                    std::to_string(records) + " records after the snapshot, last LSN " +
                    std::to_string(log->last_lsn()));
    if (s.torn_bytes_cut) {
      report.warnings.push_back("torn tail: " + std::to_string(s.torn_bytes_cut) + " bytes at the end of '" +
                                s.torn_file + "' (" + s.torn_reason + "); the next open cuts them");
    }
  } catch (const Error& e) {
    report.problems.push_back(e.what());
    report.file("wal", wopts.dir, false, e.what());
  }

  std::string archive = io::join(path, "archive");
  if (fs.exists(archive)) {
    std::vector<std::string> names = fs.list(archive);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      uint64_t first;
      if (!wal::parse_segment_name(name, &first)) continue;
      std::string file = io::join(archive, name);
      try {
        std::string bytes = io::read_file(fs, file);
        wal::SegmentScan scan = wal::scan_segment(bytes, file, first, false, [&](const auto& h, auto payload, auto) {
          wal::decode_batch(payload, "LSN " + std::to_string(h.lsn));
        });
        report.file("archive", file, true, std::to_string(scan.records) + " records");
      } catch (const Error& e) {
        report.problems.push_back(e.what());
        report.file("archive", file, false, e.what());
      }
    }
  }
  return report.json();
}

}  // namespace kiln::snapshot
