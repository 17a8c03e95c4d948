// Damaged files give the documented outcome (docs/durability.md
// "Damaged files"): a torn tail is cut and reported; damage anywhere else is
// KILN_CORRUPTION naming the file and offset, and kiln_verify reports it.
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

TEST(Corruption, FlippedByteMidLogIsCorruptionWithFileAndOffset) {
  TempDir dir;
  make_db(dir.db(), 20);
  std::string seg = only_segment(dir.db());
  uint64_t size = fs::file_size(seg);
  flip_byte(seg, size / 2);
  kiln_db* db = nullptr;
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_EQ(db, nullptr);
  EXPECT_NE(o.text.find(seg), std::string::npos) << o.text;
  EXPECT_NE(o.text.find("offset"), std::string::npos) << o.text;
  // Nothing was "repaired": the file is untouched and still refused.
  EXPECT_EQ(fs::file_size(seg), size);
  EXPECT_EQ(open_db(dir.db(), nullptr, &db).status, KILN_CORRUPTION);
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
  must_exec(db, R"({"op":"set","collection":"c","data":{"k9":{"n":9}}})");  // appends after the cut
  ASSERT_EQ(kiln_close(db), KILN_OK);
  EXPECT_TRUE(verify_ok(verify(dir.db())));
  db = must_open(dir.db());
  EXPECT_NE(get_doc(db, "c", "k9"), "");
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "torn_tail_bytes_cut"), 0);
  kiln_close(db);
}

TEST(Corruption, GarbageAfterTheLastRecordIsATornTail) {
  TempDir dir;
  make_db(dir.db(), 3);
  std::string seg = only_segment(dir.db());
  { std::ofstream(seg, std::ios::app | std::ios::binary) << std::string(100, '\0'); }  // e.g. zero-filled blocks
  kiln_db* db = must_open(dir.db());
  EXPECT_EQ(json_number(must_exec(db, R"({"op":"stats"})"), "torn_tail_bytes_cut"), 100);
  EXPECT_NE(get_doc(db, "c", "k2"), "");
  kiln_close(db);
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
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(dir.db() + "/wal")) segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
  ASSERT_GT(segs.size(), 1u);
  fs::resize_file(segs[0], fs::file_size(segs[0]) - 5);  // even a "tail" cut there means lost records
  kiln_db* db = nullptr;
  Outcome o = open_db(dir.db(), nullptr, &db);
  EXPECT_EQ(o.status, KILN_CORRUPTION);
  EXPECT_NE(o.text.find(segs[0]), std::string::npos) << o.text;
}

TEST(Corruption, MissingSegmentIsCorruption) {
  TempDir dir;
  make_db(dir.db(), 100, R"({"compaction_ratio":0,"segment_bytes":4096})");  // three segments at least
  std::vector<std::string> segs;
  for (const auto& e : fs::directory_iterator(dir.db() + "/wal")) segs.push_back(e.path().string());
  std::sort(segs.begin(), segs.end());
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
