// Durability through the C API: modes, reopen, snapshots and compaction,
// retention, read-only, locks, stats, the changes pull API, group commit.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include "durability_helpers.h"

namespace kiln::durability_testing {
namespace {

namespace fs = std::filesystem;

size_t count_files(const std::string& dir, std::string_view suffix) {
  if (!fs::exists(dir)) return 0;
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().string().ends_with(suffix);
  return n;
}

TEST(Durability, SyncIsTheDefaultAndSurvivesReopen) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"set","collection":"users","data":{"ada":{"name":"Ada"},"bob":{"name":"Bob"}}})");
  must_exec(db, R"({"op":"update","collection":"users","data":{"ada":{"age":36}}})");
  must_exec(db, R"({"op":"delete","collection":"users","keys":"bob"})");
  must_exec(db, R"({"op":"batch","ops":[{"op":"set","collection":"a","data":{"k":{"x":1}}},)"
                R"({"op":"set","collection":"b","data":{"k":{"y":2}}}]})");
  EXPECT_NE(must_exec(db, R"({"op":"stats"})").find("\"mode\":\"sync\""), std::string::npos);
  ASSERT_EQ(kiln_close(db), KILN_OK);

  db = must_open(dir.db());
  std::string ada = get_doc(db, "users", "ada");
  EXPECT_NE(ada.find("\"age\":36"), std::string::npos) << ada;
  EXPECT_NE(ada.find("\"_v\":2"), std::string::npos) << ada;
  EXPECT_EQ(get_doc(db, "users", "bob"), "");
  EXPECT_NE(get_doc(db, "a", "k"), "");
  EXPECT_NE(get_doc(db, "b", "k"), "");
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "lsn"), 4);
  kiln_close(db);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Durability, FailedRequestWritesNoRecord) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"v":1}}})");
  Outcome bad = exec(db, R"({"op":"set","collection":"c","data":{"k":{"_v":1}}})");
  EXPECT_EQ(bad.status, KILN_CONFLICT);
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "lsn"), 1);
  kiln_close(db);
}

TEST(Durability, SnapshotCoversTheLogAndRemovesSegments) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"segment_bytes":4096,"compaction_ratio":0})");
  for (int i = 0; i < 200; ++i) {
    must_exec(db, R"({"op":"set","collection":"c","data":{"k)" + std::to_string(i) + R"(":{"n":)" +
                      std::to_string(i) + "}}}");
  }
  EXPECT_GT(count_files(dir.db() + "/wal", ".wal"), 3u);
  std::string snap = must_exec(db, R"({"op":"snapshot"})");
  EXPECT_EQ(json_number(snap, "lsn"), 200);
  EXPECT_EQ(count_files(dir.db() + "/wal", ".wal"), 1u);
  must_exec(db, R"({"op":"set","collection":"c","data":{"after":{"n":1}}})");
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_NE(stats.find("\"snapshot\":{"), std::string::npos) << stats;
  ASSERT_EQ(kiln_close(db), KILN_OK);

  db = must_open(dir.db());
  EXPECT_NE(get_doc(db, "c", "k0"), "");
  EXPECT_NE(get_doc(db, "c", "k199"), "");
  EXPECT_NE(get_doc(db, "c", "after"), "");
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "lsn"), 201);
  kiln_close(db);
  EXPECT_TRUE(verify_ok(verify(dir.db()))) << verify(dir.db());
}

TEST(Durability, BackupsAreKeptAndPruned) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"backups_kept":2,"compaction_ratio":0})");
  for (int i = 0; i < 5; ++i) {
    must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":)" + std::to_string(i) + "}}}");
    must_exec(db, R"({"op":"snapshot"})");
  }
  kiln_close(db);
  EXPECT_EQ(count_files(dir.db() + "/backup", ".kns"), 2u);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Durability, ArchiveRetentionMovesSegments) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"wal_retention":"archive","compaction_ratio":0})");
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  must_exec(db, R"({"op":"snapshot"})");
  kiln_close(db);
  EXPECT_EQ(count_files(dir.db() + "/archive", ".wal"), 1u);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

// The trigger compares the log with the data in RAM: a load of new
// documents (log = data) never rewrites snapshots; rewriting the same
// documents (the log grows, the data does not) does.
TEST(Durability, AutomaticCompaction) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"compaction_min_bytes":2000,"compaction_ratio":2,"segment_bytes":4096})");
  for (int i = 0; i < 300; ++i) {
    must_exec(db, R"({"op":"set","collection":"new","data":{"k)" + std::to_string(i) + R"(":{"n":1}}})");
  }
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "runs"), 0) << stats;
  EXPECT_NE(stats.find("\"snapshot\":null"), std::string::npos) << stats;

  for (int i = 0; i < 900; ++i) {
    must_exec(db, R"({"op":"set","collection":"c","data":{"k)" + std::to_string(i % 20) + R"(":{"n":)" +
                      std::to_string(i) + "}}}");
  }
  long long runs = 0;
  for (int tries = 0; tries < 100 && runs <= 0; ++tries) {
    runs = json_number(must_exec(db, R"({"op":"stats"})"), "runs");
    if (runs <= 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_GT(runs, 0);
  ASSERT_EQ(kiln_close(db), KILN_OK);
  db = must_open(dir.db());
  EXPECT_NE(get_doc(db, "c", "k19").find("\"n\":899"), std::string::npos);
  EXPECT_NE(get_doc(db, "new", "k299"), "");
  kiln_close(db);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

// A loaded log is compacted once, by close; a small log is left to replay.
TEST(Durability, CloseSnapshotsALargeLogOnly) {
  TempDir dir;
  const char* options = R"({"compaction_min_bytes":2000})";
  kiln_db* db = must_open(dir.db(), options);
  for (int i = 0; i < 100; ++i) {
    must_exec(db, R"({"op":"set","collection":"c","data":{"k)" + std::to_string(i) + R"(":{"n":1}}})");
  }
  EXPECT_NE(must_exec(db, R"({"op":"stats"})").find("\"snapshot\":null"), std::string::npos);
  ASSERT_EQ(kiln_close(db), KILN_OK);

  db = must_open(dir.db(), options);
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "entries"), 100) << stats;
  EXPECT_EQ(json_number(stats, "runs"), 0) << stats;
  must_exec(db, R"({"op":"set","collection":"c","data":{"late":{"n":2}}})");
  ASSERT_EQ(kiln_close(db), KILN_OK);

  db = must_open(dir.db(), options);
  stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "entries"), 100) << stats;  // the snapshot of the first close
  EXPECT_EQ(json_number(stats, "documents"), 101) << stats;
  EXPECT_NE(get_doc(db, "c", "late"), "");
  kiln_close(db);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
}

TEST(Durability, CloseSnapshotsWhenTheLogIsDue) {
  // A log past the compaction trigger at close is snapshotted then, not
  // left for the next open to replay (the background compactor may or may
  // not have got to it first: either way the log is covered afterwards).
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"compaction_min_bytes":2000,"compaction_ratio":2})");
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":0}}})");
  must_exec(db, R"({"op":"snapshot"})");
  std::string data;
  for (int i = 0; i < 200; ++i) data += (i ? ",\"k" : "\"k") + std::to_string(i) + R"(":{"n":)" + std::to_string(i) + "}";
  must_exec(db, R"({"op":"set","collection":"c","data":{)" + data + "}}");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  db = must_open(dir.db(), R"({"compaction_ratio":0})");
  std::string stats = must_exec(db, R"({"op":"stats"})");
  std::string snap = stats.substr(stats.find("\"snapshot\":{"));
  EXPECT_EQ(json_number(snap, "lsn"), 2) << stats;
  EXPECT_NE(get_doc(db, "c", "k199").find("\"n\":199"), std::string::npos);
  kiln_close(db);
}

TEST(Durability, AsyncModeWithFlush) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"mode":"async","flush_interval_ms":10})");
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  EXPECT_EQ(kiln_flush(db, nullptr), KILN_OK);
  EXPECT_NE(must_exec(db, R"({"op":"stats"})").find("\"mode\":\"async\""), std::string::npos);
  kiln_close(db);
  db = must_open(dir.db(), R"({"mode":"async"})");
  EXPECT_NE(get_doc(db, "c", "k"), "");
  kiln_close(db);
}

TEST(Durability, MemoryModeHasNoFiles) {
  kiln_db* db = must_open("", R"({"mode":"memory"})");
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  EXPECT_EQ(kiln_flush(db, nullptr), KILN_OK);
  EXPECT_EQ(exec(db, R"({"op":"snapshot"})").status, KILN_INVALID_ARGUMENT);
  EXPECT_NE(must_exec(db, R"({"op":"stats"})").find("\"wal\":null"), std::string::npos);
  kiln_close(db);
}

TEST(Durability, ReadOnly) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  kiln_close(db);
  db = must_open(dir.db(), R"({"read_only":true})");
  EXPECT_NE(get_doc(db, "c", "k"), "");
  EXPECT_EQ(exec(db, R"({"op":"set","collection":"c","data":{"x":{"n":1}}})").status, KILN_READ_ONLY);
  EXPECT_EQ(exec(db, R"({"op":"snapshot"})").status, KILN_READ_ONLY);
  kiln_close(db);
  kiln_db* none = nullptr;
  EXPECT_EQ(open_db(dir.path() + "/missing", R"({"read_only":true})", &none).status, KILN_IO_ERROR);
}

TEST(Durability, SamePathTwiceInOneProcessIsRefused) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  kiln_db* second = nullptr;
  Outcome o = open_db(dir.db() + "/../db", nullptr, &second);
  EXPECT_EQ(o.status, KILN_LOCKED);
  EXPECT_NE(o.text.find("already open in this process"), std::string::npos) << o.text;
  EXPECT_EQ(second, nullptr);
  kiln_close(db);
  db = must_open(dir.db());  // released by close
  kiln_close(db);
}

// Run by SecondProcessGetsLocked in a separate process (exec of this binary).
TEST(Durability, LockProbe) {
  const char* path = std::getenv("KILN_LOCK_PROBE_PATH");
  if (!path) GTEST_SKIP() << "helper for SecondProcessGetsLocked";
  kiln_db* other = nullptr;
  Outcome o = open_db(path, nullptr, &other);
  EXPECT_EQ(o.status, KILN_LOCKED);
  EXPECT_NE(o.text.find("locked by another process"), std::string::npos) << o.text;
  kiln_close(other);
}

TEST(Durability, SecondProcessGetsLocked) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  pid_t child = fork();
  if (child == 0) {
    setenv("KILN_LOCK_PROBE_PATH", dir.db().c_str(), 1);
    execl("/proc/self/exe", "durability_test", "--gtest_filter=Durability.LockProbe", static_cast<char*>(nullptr));
    _exit(127);
  }
  int wstatus = 0;
  waitpid(child, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "the second process was not refused";
  kiln_close(db);
}

TEST(Durability, UnknownOptionsAreRejected) {
  TempDir dir;
  kiln_db* db = nullptr;
  EXPECT_EQ(open_db(dir.db(), R"({"flush_interval":5})", &db).status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(open_db(dir.db(), R"({"wal_retention":"keep"})", &db).status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(open_db(dir.db(), R"({"compaction_ratio":-1})", &db).status, KILN_INVALID_ARGUMENT);
}

TEST(Durability, StatsReportsEverything) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  std::string s = must_exec(db, R"({"op":"stats"})");
  for (const char* field : {"\"documents\":1", "\"bytes_in_ram\"", "\"segments\":1", "\"last_flush\":\"",
                            "\"torn_tail_bytes_cut\":0", "\"snapshot\":null", "\"durable_lsn\":1", "\"mode\":\"sync\""}) {
    EXPECT_NE(s.find(field), std::string::npos) << field << " in " << s;
  }
  kiln_close(db);
}

TEST(Durability, ChangesPull) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"compaction_ratio":0})");
  must_exec(db, R"({"op":"set","collection":"a","data":{"k1":{"n":1},"k2":{"n":2}}})");
  must_exec(db, R"({"op":"delete","collection":"a","keys":"k1"})");
  must_exec(db, R"({"op":"set","collection":"b","data":{"x":{"n":1}}})");
  must_exec(db, R"({"op":"delete","collection":"b","drop":true})");
  std::string all = must_exec(db, R"({"op":"changes","since":0})");
  EXPECT_EQ(all,
            R"({"changes":[{"collection":"a","key":"k1","lsn":1,"new_v":1},{"collection":"a","key":"k2","lsn":1,"new_v":1},)"
            R"({"collection":"a","key":"k1","lsn":2,"new_v":null},{"collection":"b","key":"x","lsn":3,"new_v":1},)"
            R"({"collection":"b","key":"*","lsn":4,"new_v":null}],"last_lsn":4,"status":"ok"})");
  std::string later = must_exec(db, R"({"op":"changes","since":3})");
  EXPECT_EQ(later, R"({"changes":[{"collection":"b","key":"*","lsn":4,"new_v":null}],"last_lsn":4,"status":"ok"})");
  std::string limited = must_exec(db, R"({"op":"changes","since":0,"limit":1})");
  EXPECT_EQ(json_number(limited, "last_lsn"), 1);  // the two events of LSN 1 stay together
  EXPECT_EQ(exec(db, R"({"op":"changes"})").status, KILN_INVALID_ARGUMENT);
  kiln_close(db);

  // After reopen the feed is rebuilt from the log...
  db = must_open(dir.db(), R"({"compaction_ratio":0})");
  EXPECT_EQ(must_exec(db, R"({"op":"changes","since":0})"), all);
  must_exec(db, R"({"op":"snapshot"})");
  kiln_close(db);
  // ...but what a snapshot covers is gone: an error, never a silent gap.
  db = must_open(dir.db());
  Outcome gone = exec(db, R"({"op":"changes","since":2})");
  EXPECT_EQ(gone.status, KILN_INVALID_ARGUMENT);
  EXPECT_NE(gone.text.find("no longer retained"), std::string::npos) << gone.text;
  EXPECT_EQ(must_exec(db, R"({"op":"changes","since":4})"), R"({"changes":[],"last_lsn":4,"status":"ok"})");
  kiln_close(db);
}

TEST(Durability, ChangesRetentionLimit) {
  kiln_db* db = must_open("", R"({"mode":"memory","change_retention":3})");
  for (int i = 0; i < 5; ++i) must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"n":1}}})");
  EXPECT_EQ(exec(db, R"({"op":"changes","since":1})").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"changes","since":2})"), "last_lsn"), 5);
  kiln_close(db);
}

TEST(Durability, GroupCommitSharesFsyncs) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  constexpr int kThreads = 8, kWrites = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        std::string key = "t" + std::to_string(t) + "_" + std::to_string(i);
        uint64_t v = 0;
        EXPECT_EQ(kiln_put(db, "c", 1, key.data(), key.size(), "{\"n\":1}", 7, &v, nullptr), KILN_OK);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string s = must_exec(db, R"({"op":"stats"})");
  long long flushes = json_number(s, "flushes");
  EXPECT_EQ(json_number(s, "durable_lsn"), kThreads * kWrites);
  EXPECT_GT(flushes, 0);
  EXPECT_LT(flushes, kThreads * kWrites) << "concurrent commits should share fsyncs";
  kiln_close(db);
  db = must_open(dir.db());
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "documents"), kThreads * kWrites);
  kiln_close(db);
}

}  // namespace
}  // namespace kiln::durability_testing
