// Fault injection (io/fault_file_system.h) under the engine: failed fsyncs,
// short writes with ENOSPC/EIO, and power loss (unsynced bytes dropped).
// Each error must surface, the database must refuse further writes, and no
// acknowledged write may be lost.
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "db.h"
#include "durability_helpers.h"
#include "io/fault_file_system.h"
#include "util/error.h"

namespace kiln::durability_testing {
namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<Db> open_with(const std::string& path, io::FileSystem* fs, const char* json = "") {
  Options options = parse_options(json, true);
  options.fs = fs;
  return Db::open(path, options);
}

std::string set_request(const std::string& key, size_t pad = 8) {
  return R"({"op":"set","collection":"c","data":{")" + key + R"(":{"pad":")" + std::string(pad, 'x') + R"("}}})";
}

Code code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.code();
  }
  return Code::kOk;
}

bool has(Db& db, const std::string& key) {
  std::string out;
  return db.get("c", key, out);
}

TEST(Fault, FailedFsyncIsNeverAcknowledgedAndWritesStop) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs);
  db->execute(set_request("acked"));
  ffs.set_fail_sync(true);
  EXPECT_EQ(code_of([&] { db->execute(set_request("failed")); }), Code::kIoError);
  ffs.set_fail_sync(false);  // even if the disk "recovers", the database does not pretend
  EXPECT_EQ(code_of([&] { db->execute(set_request("refused")); }), Code::kIoError);
  EXPECT_EQ(code_of([&] { db->flush(); }), Code::kIoError);
  EXPECT_TRUE(has(*db, "acked"));  // reads go on
  std::string stats = db->execute(R"({"op":"stats"})");
  EXPECT_NE(stats.find("refuses writes"), std::string::npos) << stats;
  ffs.crash();
  EXPECT_NE(code_of([&] { db->close(); }), Code::kOk);
  db.reset();

  auto reopened = open_with(dir.db(), nullptr);
  EXPECT_TRUE(has(*reopened, "acked"));
  EXPECT_FALSE(has(*reopened, "refused"));
}

void short_write_case(int err, Code expected) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs);
  db->execute(set_request("acked"));
  ffs.set_write_budget(20, err);  // the next record is cut after 20 bytes
  EXPECT_EQ(code_of([&] { db->execute(set_request("big", 500)); }), expected);
  ffs.set_write_budget(-1, 0);
  EXPECT_EQ(code_of([&] { db->execute(set_request("after")); }), expected);
  db.reset();

  auto reopened = open_with(dir.db(), nullptr);
  EXPECT_TRUE(has(*reopened, "acked"));
  EXPECT_FALSE(has(*reopened, "big"));
  std::string stats = reopened->execute(R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "torn_tail_bytes_cut"), 20) << stats;
  reopened->execute(set_request("later"));
  reopened.reset();
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Fault, ShortWriteWithNoSpace) { short_write_case(ENOSPC, Code::kNoSpace); }
TEST(Fault, ShortWriteWithIoError) { short_write_case(EIO, Code::kIoError); }

TEST(Fault, PowerLossKeepsEveryAcknowledgedSyncWrite) {
  for (int round = 0; round < 5; ++round) {
    TempDir dir;
    io::FaultFileSystem ffs;
    // A ratio below 1, so that this load of new keys still compacts while power fails.
    auto db = open_with(dir.db(), &ffs, R"({"segment_bytes":8192,"compaction_min_bytes":4096,"compaction_ratio":0.5})");
    std::mutex mu;
    std::vector<std::string> acked;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int t = 0; t < 4; ++t) {
      writers.emplace_back([&, t] {
        for (int i = 0; !stop; ++i) {
          std::string key = "t" + std::to_string(t) + "_" + std::to_string(i);
          try {
            db->execute(set_request(key, 64));
          } catch (const Error&) {
            return;
          }
          std::lock_guard lock(mu);
          acked.push_back(key);
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 20 * round));
    {
      std::lock_guard lock(mu);  // "power" fails: nothing acknowledged after this point counts
      ffs.crash();
    }
    stop = true;
    for (auto& w : writers) w.join();
    std::vector<std::string> must_have;
    {
      std::lock_guard lock(mu);
      must_have = acked;
    }
    db.reset();
    auto reopened = open_with(dir.db(), nullptr);
    for (const std::string& key : must_have) ASSERT_TRUE(has(*reopened, key)) << key << " round " << round;
    reopened.reset();
    EXPECT_TRUE(verify_ok(verify(dir.db())));
  }
}

// Sync mode: one writer costs one write and one fdatasync per put; with
// concurrent writers each flush writes its whole group at once, so there
// are never more writes than syncs.
TEST(Fault, GroupCommitWritesEachGroupOnce) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs, R"({"compaction_ratio":0})");
  uint64_t appends = ffs.appends(), syncs = ffs.syncs();
  for (int i = 0; i < 20; ++i) db->put("c", "one" + std::to_string(i), R"({"n":1})");
  EXPECT_EQ(ffs.appends() - appends, 20u);
  EXPECT_EQ(ffs.syncs() - syncs, 20u);

  appends = ffs.appends(), syncs = ffs.syncs();
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) db->put("c", "t" + std::to_string(t) + "_" + std::to_string(i), R"({"n":2})");
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_LE(ffs.appends() - appends, ffs.syncs() - syncs);
  db.reset();
  auto reopened = open_with(dir.db(), nullptr);
  for (int t = 0; t < 8; ++t) {
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(has(*reopened, "t" + std::to_string(t) + "_" + std::to_string(i)));
  }
}

// A short write in the middle of a group: every writer of that group (and
// every later one) gets the typed error, and every acknowledged put survives.
TEST(Fault, ShortWriteFailsTheWholeGroup) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs, R"({"compaction_ratio":0})");
  ffs.set_write_budget(6000, ENOSPC);
  std::mutex mu;
  std::vector<std::string> acked;
  std::vector<Code> errors;
  std::vector<std::thread> writers;
  for (int t = 0; t < 6; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string key = "t" + std::to_string(t) + "_" + std::to_string(i);
        Code code = code_of([&] { db->execute(set_request(key, 64)); });
        std::lock_guard lock(mu);
        if (code == Code::kOk) acked.push_back(key);
        else errors.push_back(code);
      }
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_FALSE(errors.empty());
  for (Code code : errors) EXPECT_EQ(code, Code::kNoSpace);
  EXPECT_EQ(code_of([&] { db->flush(); }), Code::kNoSpace);
  db.reset();
  ffs.set_write_budget(-1, 0);
  auto reopened = open_with(dir.db(), nullptr);
  for (const std::string& key : acked) EXPECT_TRUE(has(*reopened, key)) << key;
  reopened.reset();
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Fault, FailedSnapshotLosesNothing) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs, R"({"compaction_ratio":0})");
  for (int i = 0; i < 50; ++i) db->execute(set_request("k" + std::to_string(i)));
  ffs.set_write_budget(100, ENOSPC);
  EXPECT_EQ(code_of([&] { db->execute(R"({"op":"snapshot"})"); }), Code::kNoSpace);
  ffs.set_write_budget(-1, 0);
  ffs.set_fail_sync(true);
  EXPECT_EQ(code_of([&] { db->execute(R"({"op":"snapshot"})"); }), Code::kIoError);
  ffs.set_fail_sync(false);
  db->execute(set_request("after"));  // the log was never touched: writes go on
  db.reset();
  auto reopened = open_with(dir.db(), nullptr);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(has(*reopened, "k" + std::to_string(i)));
  EXPECT_TRUE(has(*reopened, "after"));
}

TEST(Fault, AsyncFailureIsReportedOnTheNextCall) {
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs, R"({"mode":"async","flush_interval_ms":5})");
  ffs.set_fail_sync(true);
  db->execute(set_request("k1"));  // async: returns before the background flush
  Code code = Code::kOk;
  for (int i = 0; i < 200 && code == Code::kOk; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    code = code_of([&] { db->execute(set_request("k" + std::to_string(i + 2))); });
  }
  EXPECT_EQ(code, Code::kIoError);
  EXPECT_EQ(code_of([&] { db->flush(); }), Code::kIoError);
}

// Async mode: a power loss loses at most the writes of the last flush
// interval (plus the time one fsync takes), and what survives is a prefix.
TEST(Fault, AsyncLossIsBoundedByTheFlushInterval) {
  constexpr int kIntervalMs = 50;
  constexpr int kSlackMs = 500;  // one fsync plus scheduling on a busy, shared 2-core CI machine
  TempDir dir;
  io::FaultFileSystem ffs;
  auto db = open_with(dir.db(), &ffs, R"({"mode":"async","flush_interval_ms":50})");
  std::vector<Clock::time_point> acked_at;
  auto start = Clock::now();
  for (int i = 0; Clock::now() - start < std::chrono::milliseconds(1200); ++i) {
    db->execute(set_request("k" + std::to_string(i)));
    acked_at.push_back(Clock::now());
    if (i % 50 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  auto crash_at = Clock::now();
  ffs.crash();
  db.reset();

  auto reopened = open_with(dir.db(), nullptr);
  size_t present = 0;
  while (present < acked_at.size() && has(*reopened, "k" + std::to_string(present))) ++present;
  for (size_t i = present; i < acked_at.size(); ++i) {
    ASSERT_FALSE(has(*reopened, "k" + std::to_string(i))) << "a hole: what survives must be a prefix";
  }
  for (size_t i = 0; i < acked_at.size(); ++i) {
    if (crash_at - acked_at[i] > std::chrono::milliseconds(kIntervalMs + kSlackMs)) {
      ASSERT_LT(i, present) << "write acknowledged "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(crash_at - acked_at[i]).count()
                            << " ms before the power loss was lost";
    }
  }
  std::cout << "async: " << acked_at.size() << " acknowledged, " << present << " survived the power loss\n";
}

std::string last_segment(const std::string& db) {
  std::string last;
  for (const auto& e : std::filesystem::directory_iterator(db + "/wal")) last = std::max(last, e.path().string());
  return last;
}

std::string round_key(int round, int i) { return "r" + std::to_string(round) + "_" + std::to_string(i); }

// The log segment is preallocated with zeros ahead of its records, and a
// power loss leaves them there: reopening must take them as the end of the
// log, and later records must land right after the last one, where the next
// open finds them.
TEST(Fault, PowerLossLeavesAPreallocatedTailThatReopenCutsAndAppendsAfter) {
  TempDir dir;
  constexpr int kRounds = 3, kPuts = 20;
  for (int round = 0; round < kRounds; ++round) {
    io::FaultFileSystem ffs;
    auto db = open_with(dir.db(), &ffs, R"({"compaction_ratio":0})");
    std::string stats = db->execute(R"({"op":"stats"})");
    EXPECT_EQ(json_number(stats, "torn_tail_bytes_cut"), 0) << stats;
    for (int r = 0; r < round; ++r) {
      for (int i = 0; i < kPuts; ++i) ASSERT_TRUE(has(*db, round_key(r, i))) << round_key(r, i);
    }
    for (int i = 0; i < kPuts; ++i) db->execute(set_request(round_key(round, i)));
    EXPECT_GE(ffs.preallocations(), 1u);
    ffs.crash();
    db.reset();
    EXPECT_GE(std::filesystem::file_size(last_segment(dir.db())), 1u << 20) << "the zeros survive the crash";
  }
  auto db = open_with(dir.db(), nullptr);
  for (int r = 0; r < kRounds; ++r) {
    for (int i = 0; i < kPuts; ++i) EXPECT_TRUE(has(*db, round_key(r, i))) << round_key(r, i);
  }
  db.reset();
  EXPECT_LT(std::filesystem::file_size(last_segment(dir.db())), 64u << 10) << "a clean close trims the zeros";
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

// Preallocation only saves time: when it fails, the log goes on with plain
// appends (counted in stats), and tries again in the next segment.
void failed_preallocation_case(int err) {
  TempDir dir;
  io::FaultFileSystem ffs;
  ffs.set_fail_preallocate(err);
  auto db = open_with(dir.db(), &ffs, R"({"compaction_ratio":0,"segment_bytes":4096})");
  for (int i = 0; i < 60; ++i) db->execute(set_request(round_key(0, i), 64));
  EXPECT_EQ(ffs.preallocations(), 0u);
  std::string stats = db->execute(R"({"op":"stats"})");
  long long failures = json_number(stats, "preallocate_failures");
  EXPECT_GE(failures, 2) << stats;                                 // more than one segment ...
  EXPECT_LE(failures, json_number(stats, "segments")) << stats;  // ... but once per segment
  ffs.set_fail_preallocate(0);
  for (int i = 0; i < 60; ++i) db->execute(set_request(round_key(1, i), 64));
  EXPECT_GE(ffs.preallocations(), 1u);
  ffs.crash();
  db.reset();
  auto reopened = open_with(dir.db(), nullptr);
  for (int r = 0; r < 2; ++r) {
    for (int i = 0; i < 60; ++i) EXPECT_TRUE(has(*reopened, round_key(r, i))) << round_key(r, i);
  }
  reopened.reset();
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Fault, FailedPreallocationWithNoSpaceFallsBackToAppends) { failed_preallocation_case(ENOSPC); }
TEST(Fault, FailedPreallocationWithIoErrorFallsBackToAppends) { failed_preallocation_case(EIO); }

}  // namespace
}  // namespace kiln::durability_testing
