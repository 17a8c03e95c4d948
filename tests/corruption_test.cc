// Damaged files give the documented outcome (docs/durability.md
// "Damaged files"): a torn tail is cut and reported; damage anywhere else is
// KILN_CORRUPTION naming the file and offset, and kiln_verify reports it.
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "durability_helpers.h"

namespace kiln::durability_testing {
namespace {

namespace fs = std::filesystem;

std::string only_segment(const std::string& db) {
  std::string found;
  for (const auto& e : fs::directory_iterator(db + "/wal")) found = e.path().string();
  return found;
}

void flip_byte(const std::string& path, uint64_t offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c;
  f.get(c);
  f.seekp(static_cast<std::streamoff>(offset));
  f.put(static_cast<char>(c ^ 0x5a));
}

// A database with `n` single-document records, closed.
void make_db(const std::string& path, int n, const char* options = R"({"compaction_ratio":0})") {
  kiln_db* db = must_open(path, options);
  for (int i = 0; i < n; ++i) {
    must_exec(db, R"({"op":"set","collection":"c","data":{"k)" + std::to_string(i) + R"(":{"n":)" +
                      std::to_string(i) + R"(,"pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}})");
  }
  ASSERT_EQ(kiln_close(db), KILN_OK);
}

// The segments of a database, oldest first.
std::vector<std::string> segments(const std::string& db) {
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(db + "/wal")) segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
  return segs;
}

// After an open cut the end of the log (at LSN n): a new record k<n> goes
// right after the last intact one, and the next open finds it, cutting nothing.
void expect_appends_after_the_cut(kiln_db* db, const std::string& path, int n) {
  must_exec(db, R"({"op":"set","collection":"c","data":{"k)" + std::to_string(n) + R"(":{"n":0}}})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  EXPECT_TRUE(verify_ok(verify(path)));
  db = must_open(path);
  EXPECT_NE(get_doc(db, "c", "k" + std::to_string(n)), "");
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "torn_tail_bytes_cut"), 0) << stats;
  EXPECT_EQ(json_number(stats, "lsn"), n + 1) << stats;
  kiln_close(db);
}

// Opening fails with KILN_CORRUPTION naming the damaged segment and an
// offset, and leaves the file alone: nothing is "repaired".
void expect_corruption_at(const std::string& path, const std::string& seg) {
  uint64_t size = fs::file_size(seg);
  kiln_db* db = nullptr;
  Outcome o = open_db(path, nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION) << o.text;
  EXPECT_EQ(db, nullptr);
  EXPECT_NE(o.text.find(seg), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("offset"), std::string::npos) << o.text;
  EXPECT_EQ(fs::file_size(seg), size);
}

TEST(Corruption, FlippedByteMidLogIsCorruptionWithFileAndOffset) {
  TempDir dir;
  make_db(dir.db(), 20);
  std::string seg = only_segment(dir.db());
  flip_byte(seg, fs::file_size(seg) / 2);
  expect_corruption_at(dir.db(), seg);
  expect_corruption_at(dir.db(), seg);  // and again: still refused
  std::string report = verify(dir.db());
  EXPECT_FALSE(verify_ok(report)) << report;
  EXPECT_NE(report.find("checksum mismatch"), std::string::npos) << report;
}

TEST(Corruption, TruncatedTailIsCutAndReported) {
  TempDir dir;
  make_db(dir.db(), 10);
  std::string seg = only_segment(dir.db());
  uint64_t size = fs::file_size(seg);
  fs::resize_file(seg, size - 7);  // the last record loses its end: a torn write
  std::string report = verify(dir.db());
  EXPECT_TRUE(verify_ok(report)) << report;
  EXPECT_NE(report.find("torn tail"), std::string::npos) << report;

  kiln_db* db = must_open(dir.db());
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_GT(json_number(stats, "torn_tail_bytes_cut"), 0) << stats;
  EXPECT_EQ(json_number(stats, "lsn"), 9);
  EXPECT_NE(get_doc(db, "c", "k8"), "");
  EXPECT_EQ(get_doc(db, "c", "k9"), "");
  expect_appends_after_the_cut(db, dir.db(), 9);
}

TEST(Corruption, GarbageAfterTheLastRecordIsATornTail) {
  TempDir dir;
  make_db(dir.db(), 3);
  std::string seg = only_segment(dir.db());
  { std::ofstream(seg, std::ios::app | std::ios::binary) << std::string(100, 'g'); }
  kiln_db* db = must_open(dir.db());
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "torn_tail_bytes_cut"), 100);
  EXPECT_NE(get_doc(db, "c", "k2"), "");
  kiln_close(db);
}

void append_zeros(const std::string& path, size_t n) {
  std::ofstream(path, std::ios::app | std::ios::binary) << std::string(n, '\0');
}

// What a crash leaves behind the last record of a preallocated segment.
TEST(Corruption, ZerosAfterTheLastRecordAreTheEndOfTheLog) {
  TempDir dir;
  make_db(dir.db(), 3);
  std::string seg = only_segment(dir.db());
  uint64_t records_end = fs::file_size(seg);
  append_zeros(seg, 64 << 10);
  std::string report = verify(dir.db());
  EXPECT_TRUE(verify_ok(report)) << report;
  EXPECT_EQ(report.find("torn tail"), std::string::npos) << report;

  kiln_db* db = must_open(dir.db(), R"({"read_only":true})");  // reads, cuts nothing
  EXPECT_NE(get_doc(db, "c", "k2"), "");
  kiln_close(db);
  EXPECT_EQ(fs::file_size(seg), records_end + (64 << 10));

  db = must_open(dir.db());
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_EQ(json_number(stats, "torn_tail_bytes_cut"), 0) << stats;
  EXPECT_EQ(json_number(stats, "lsn"), 3);
  expect_appends_after_the_cut(db, dir.db(), 3);  // not behind the zeros
  EXPECT_LT(fs::file_size(seg), records_end + 200);  // the zeros are gone, not just written over
}

TEST(Corruption, TornRecordBeforeZerosIsATornTail) {
  TempDir dir;
  make_db(dir.db(), 5);
  std::string seg = only_segment(dir.db());
  fs::resize_file(seg, fs::file_size(seg) - 7);
  append_zeros(seg, 4096);  // the record's end never reached the preallocated space
  kiln_db* db = must_open(dir.db());
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_GT(json_number(stats, "torn_tail_bytes_cut"), 4096) << stats;
  EXPECT_EQ(json_number(stats, "lsn"), 4);
  EXPECT_EQ(get_doc(db, "c", "k4"), "");
  kiln_close(db);
}

// Zeros are the end of the log only when nothing but zeros follows: zeroed
// records in the middle (a lost write, a bad block) are still corruption.
TEST(Corruption, ZerosMidLogAreCorruptionEvenBeforeAZeroTail) {
  TempDir dir;
  make_db(dir.db(), 20);
  std::string seg = only_segment(dir.db());
  uint64_t size = fs::file_size(seg);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size / 2));
    f << std::string(64, '\0');
  }
  append_zeros(seg, 4096);
  expect_corruption_at(dir.db(), seg);
  EXPECT_FALSE(verify_ok(verify(dir.db())));
}

TEST(Corruption, DamagedLastRecordIsCutAsTornTail) {
  // Documented limit: a bad checksum on the very last record cannot be told
  // apart from a torn write; it is cut and reported in stats.
  TempDir dir;
  make_db(dir.db(), 5);
  std::string seg = only_segment(dir.db());
  flip_byte(seg, fs::file_size(seg) - 3);
  kiln_db* db = must_open(dir.db());
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_GT(json_number(stats, "torn_tail_bytes_cut"), 0);
  EXPECT_NE(stats.find("checksum mismatch"), std::string::npos) << stats;
  EXPECT_EQ(json_number(stats, "lsn"), 4);
  kiln_close(db);
}

TEST(Corruption, DamageInAnOlderSegmentIsAlwaysCorruption) {
  TempDir dir;
  make_db(dir.db(), 60, R"({"compaction_ratio":0,"segment_bytes":4096})");
  std::vector<std::string> segs = segments(dir.db());
  ASSERT_GT(segs.size(), 1u);
  EXPECT_TRUE(verify_ok(verify(dir.db())));  // rolled segments were trimmed of their preallocated zeros
  fs::resize_file(segs[0], fs::file_size(segs[0]) - 5);  // even a "tail" cut there means lost records
  kiln_db* db = nullptr;
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_NE(o.text.find(segs[0]), std::string::npos) << o.text;
}

TEST(Corruption, ZerosAfterAnOlderSegmentAreCorruption) {
  TempDir dir;
  make_db(dir.db(), 60, R"({"compaction_ratio":0,"segment_bytes":4096})");
  std::vector<std::string> segs = segments(dir.db());
  ASSERT_GT(segs.size(), 1u);
  append_zeros(segs[0], 4096);  // only the last segment is ever preallocated when a crash comes
  expect_corruption_at(dir.db(), segs[0]);
}

TEST(Corruption, MissingSegmentIsCorruption) {
  TempDir dir;
  make_db(dir.db(), 100, R"({"compaction_ratio":0,"segment_bytes":4096})");  // three segments at least
  std::vector<std::string> segs = segments(dir.db());
  ASSERT_GT(segs.size(), 2u);
  fs::remove(segs[1]);
  kiln_db* db = nullptr;
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_NE(o.text.find("missing records"), std::string::npos) << o.text;
  fs::remove(segs[0]);  // the log no longer starts at LSN 1 and there is no snapshot
  EXPECT_EQ(open_db(dir.db(), nullptr, &db).status, KILN_CORRUPTION);
}

TEST(Corruption, FlippedByteInSnapshotIsCorruption) {
  TempDir dir;
  make_db(dir.db(), 30);
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"snapshot"})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  std::string snap = dir.db() + "/snapshot";
  flip_byte(snap, fs::file_size(snap) / 2);
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_NE(o.text.find("Snapshot '" + snap + "' is corrupt at offset"), std::string::npos) << o.text;
  EXPECT_FALSE(verify_ok(verify(dir.db())));
}

TEST(Corruption, TruncatedSnapshotIsCorruption) {
  TempDir dir;
  make_db(dir.db(), 30);
  kiln_db* db = must_open(dir.db());
  must_exec(db, R"({"op":"snapshot"})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  std::string snap = dir.db() + "/snapshot";
  fs::resize_file(snap, fs::file_size(snap) - 10);
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_NE(o.text.find("truncated"), std::string::npos) << o.text;
}

TEST(Corruption, LeftoverTempSnapshotIsIgnored) {
  TempDir dir;
  make_db(dir.db(), 3);
  { std::ofstream(dir.db() + "/snapshot.tmp") << "half a snapshot"; }
  kiln_db* db = must_open(dir.db());
  EXPECT_NE(get_doc(db, "c", "k2"), "");
  kiln_close(db);
  EXPECT_FALSE(fs::exists(dir.db() + "/snapshot.tmp"));
}

TEST(Corruption, VerifyOnMissingDirectoryFails) {
  char* out = nullptr;
  EXPECT_EQ(kiln_verify("/nonexistent/kiln-db", &out, nullptr, nullptr), KILN_IO_ERROR);
  EXPECT_EQ(out, nullptr);
}

}  // namespace
}  // namespace kiln::durability_testing
