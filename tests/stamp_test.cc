// Timestamp-shaped strings (stored as stamps, doc/format.h) behave as the
// strings they are through the whole engine: where, sort, indexes, unique,
// schema, joins, projection, aggregate groups, get; and documents written in
// the older encoding (before stamps and u8 offset tables) load from a log
// and answer exactly as freshly written ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "doc/encoder.h"
#include "support/old_format.h"
#include "support/test_db.h"
#include "durability_helpers.h"
#include "io/file_system.h"
#include "store/doc_record.h"
#include "wal/batch_codec.h"
#include "wal/wal.h"
#include "write/write_batch.h"

namespace kiln::testing {
namespace {

// Documents whose "at" is a stamp, a near miss or another string.
constexpr const char* kDocs = R"({
  "a":{"at":"2026-12-02T14:34:00Z","n":1},
  "b":{"at":"2026-12-02T14:34:00.000Z","n":2},
  "c":{"at":"2026-12-02T14:34:00.5Z","n":3},
  "d":{"at":"2026-12-02t14:34:00z","n":4},
  "e":{"at":"1999-01-01T00:00:00.999Z","n":5},
  "f":{"at":"2026-12-02T14:33:59Z","n":6},
  "g":{"at":"2026-12-02T14:34:00.001Z","n":7},
  "h":{"at":"9999-12-31T23:59:59Z","n":8},
  "i":{"at":"2026-12-02","n":9},
  "j":{"n":10}})";

// Queries whose answers must not depend on how "at" is stored or indexed.
const std::vector<std::string> kWheres = {
    R"({"at":"2026-12-02T14:34:00Z"})",  // equality ignores case: a and d
    R"({"at":"2026-12-02t14:34:00Z"})",
    R"({"at":{"$eq":"2026-12-02T14:34:00.000Z"}})",
    R"({"at":{"$ne":"2026-12-02T14:34:00Z"}})",
    R"({"at":{"$in":["1999-01-01T00:00:00.999Z","2026-12-02",1]}})",
    R"({"at":{"$nin":["9999-12-31T23:59:59Z"]}})",
    R"({"at":{"$contains":"T14:34:00"}})",
    R"({"at":{"$contains":"00z"}})",
    R"({"at":{"$regex":"^2026-12-02T14:3[34]:[0-9]{2}(\\.[0-9]{3})?Z$"}})",
    R"({"at":{"$regex":"\\.00"}})",
    R"({"at":{"$exists":true}})",
    R"({"createdAt":{"$regex":"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"}})",
    R"({"createdAt":{"$contains":"t"}})",
};

class Stamps : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const TestDb* db : {&plain, &indexed}) db->ok(std::string(R"({"op":"set","collection":"s","data":)") + kDocs + "}");
    indexed.ok(R"({"op":"index","collection":"s","field":"at"})");
    indexed.ok(R"({"op":"index","collection":"s","field":"createdAt"})");
  }
  std::string keys(const TestDb& db, const std::string& where, const std::string& extra = "") {
    Result r = db.run(R"({"op":"get","collection":"s","where":)" + where + extra + "}");
    if (r.status == KILN_NOT_FOUND) return "<none>";
    EXPECT_TRUE(r.ok()) << where << ": " << r.body;
    return keys_of(r.body);
  }
  TestDb plain, indexed;
};

TEST_F(Stamps, DocumentsReadBackAsWritten) {
  EXPECT_EQ(plain.ok(R"({"op":"get","collection":"s","keys":"b","fields":["at"]})"),
            R"({"_v":1,"at":"2026-12-02T14:34:00.000Z"})");
  EXPECT_EQ(plain.ok(R"({"op":"get","collection":"s","keys":["a","d"],"fields":["at","n"]})"),
            R"([{"_key":"a","_v":1,"at":"2026-12-02T14:34:00Z","n":1},{"_key":"d","_v":1,"at":"2026-12-02t14:34:00z","n":4}])");
  std::string doc = plain.ok(R"({"op":"get","collection":"s","keys":"a"})");
  static const std::regex stamp(R"re("createdAt":"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z","modifiedAt":"[^"]+")re");
  EXPECT_TRUE(std::regex_search(doc, stamp)) << doc;
  EXPECT_EQ(plain.ok(R"({"op":"get","collection":"s","keys":"h","excludedFields":["createdAt","modifiedAt"]})"),
            R"({"_v":1,"at":"9999-12-31T23:59:59Z","n":8})");
}

TEST_F(Stamps, WhereAnswersTheSameWithAndWithoutIndexes) {
  EXPECT_EQ(keys(plain, kWheres[0]), "a,d");
  EXPECT_EQ(keys(plain, kWheres[1]), "a,d");
  EXPECT_EQ(keys(plain, kWheres[2]), "b");
  EXPECT_EQ(keys(plain, kWheres[4]), "e,i");
  EXPECT_EQ(keys(plain, kWheres[6]), "a,b,c,d,g");
  EXPECT_EQ(keys(plain, kWheres[7]), "a,b,d");
  EXPECT_EQ(keys(plain, kWheres[8]), "a,b,f,g");
  EXPECT_EQ(keys(plain, kWheres[9]), "b,g");
  EXPECT_EQ(keys(plain, kWheres[11]), "a,b,c,d,e,f,g,h,i,j");
  for (const std::string& w : kWheres) EXPECT_EQ(keys(plain, w), keys(indexed, w)) << w;
}

TEST_F(Stamps, SortOrdersByTheText) {
  // Byte order of the texts: '.' < 'Z' < 't', and shorter prefixes first.
  const std::string ascending = "e,i,f,b,g,c,a,d,h,j";
  for (const TestDb* db : {&plain, &indexed}) {
    EXPECT_EQ(keys(*db, "{}", R"(,"sort":["at"])"), ascending);
    EXPECT_EQ(keys(*db, "{}", R"(,"sort":[{"field":"at","order":"desc"}])"), "j,h,d,a,c,g,b,f,i,e");
    EXPECT_EQ(keys(*db, "{}", R"(,"sort":["at"],"count":3,"offset":2)"), "f,b,g");
    EXPECT_EQ(keys(*db, "{}", R"(,"sort":["createdAt","n"],"count":3)"), "a,b,c");
  }
}

TEST_F(Stamps, UniqueIndexesCompareTheTextIgnoringCase) {
  TestDb db;
  db.ok(R"({"op":"index","collection":"u","field":"at","unique":true})");
  db.ok(R"({"op":"set","collection":"u","data":{"a":{"at":"2026-12-02T14:34:00Z"},"b":{"at":"2026-12-02T14:34:00.000Z"}}})");
  Result r = db.run(R"({"op":"set","collection":"u","data":{"c":{"at":"2026-12-02t14:34:00z"}}})");
  EXPECT_EQ(r.status, KILN_CONFLICT);
  EXPECT_EQ(r.body, R"(Conflict: Duplicate value "2026-12-02t14:34:00z" for unique index 'at' (already used by 'a'))");
  r = db.run(R"({"op":"set","collection":"u","data":{"d":{"at":"2026-12-02T14:34:00.000Z"}}})");
  EXPECT_EQ(r.status, KILN_CONFLICT);
  db.ok(R"({"op":"set","collection":"u","data":{"e":{"at":"2026-12-02T14:34:00.001Z"}}})");
  // Over existing duplicates (stamp and plain text), creation fails.
  r = plain.run(R"({"op":"index","collection":"s","field":"at","unique":true})");
  EXPECT_EQ(r.status, KILN_CONFLICT) << r.body;
}

TEST_F(Stamps, SchemaSeesStrings) {
  TestDb db;
  db.ok(R"({"op":"schema","collection":"v","schema":{"type":"object","properties":{
      "at":{"type":"string","minLength":20,"maxLength":20,"pattern":"Z$","enum":["2026-12-02T14:34:00Z","x"]},
      "createdAt":{"type":"string","format":"date-time"},
      "list":{"type":"array","items":{"type":"string"},"uniqueItems":true}}}})");
  db.ok(R"({"op":"set","collection":"v","data":{"ok":{"at":"2026-12-02T14:34:00Z","list":["2026-12-02T14:34:00Z","2026-12-02T14:34:00.000Z"]}}})");
  EXPECT_EQ(db.run(R"({"op":"set","collection":"v","data":{"x":{"at":"2026-12-02T14:34:01Z"}}})").status,
            KILN_INVALID_ARGUMENT);  // not in the enum
  EXPECT_EQ(db.run(R"({"op":"set","collection":"v","data":{"x":{"at":"2026-12-02T14:34:00.000Z"}}})").status,
            KILN_INVALID_ARGUMENT);  // too long
  EXPECT_EQ(db.run(R"({"op":"set","collection":"v","data":{"x":{"list":["2026-12-02T14:34:00Z","2026-12-02T14:34:00Z"]}}})").status,
            KILN_INVALID_ARGUMENT);  // not unique
  db.ok(R"({"op":"update","collection":"v","data":{"ok":{"list":[]}}})");
}

TEST_F(Stamps, JoinsAggregatesAndProjections) {
  TestDb db;
  // Keys cannot hold ':', so a stamp never names a document: the join finds
  // nothing there, and a plain date still joins.
  db.ok(R"({"op":"set","collection":"days","data":{"2026-12-02T00.00.00Z":{"name":"Wed"},"2026-12-03":{"name":"Thu"}}})");
  db.ok(R"({"op":"set","collection":"ev","data":{"e1":{"day":"2026-12-02T00:00:00Z"},"e2":{"day":"2026-12-03"},
      "e3":{"day":"2026-12-02T00:00:00Z"}}})");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"ev","fields":["day","d.name"],"joins":[{"d":{"from":"days","on":"day","fields":["name"]}}]})"),
            R"([{"_key":"e1","_v":1,"day":"2026-12-02T00:00:00Z"},)"
            R"({"_key":"e2","_v":1,"d":{"name":"Thu"},"day":"2026-12-03"},{"_key":"e3","_v":1,"day":"2026-12-02T00:00:00Z"}])");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"ev","groupBy":"day","metrics":{"n":{"$count":"*"}}})"),
            R"([{"_group":"2026-12-02T00:00:00Z","n":2},{"_group":"2026-12-03","n":1}])");
  // createdAt is immutable across updates and upserts; modifiedAt moves on.
  auto created = [&] {
    std::string body = db.ok(R"({"op":"get","collection":"ev","keys":"e1","fields":["createdAt"]})");
    return body.substr(body.find("createdAt"));
  };
  std::string before = created();
  db.ok(R"({"op":"update","collection":"ev","data":{"e1":{"x":1}}})");
  db.ok(R"({"op":"set","collection":"ev","data":{"e1":{"y":2}}})");
  EXPECT_EQ(created(), before);
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"ev","keys":"e1","fields":["_v","y"]})"), R"({"_v":3,"y":2})");
}

}  // namespace
}  // namespace kiln::testing

// Documents in the older encoding, appended to a log as an older kilndb would
// have written them (format version 1), then opened.
namespace kiln::durability_testing {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> segments(const std::string& db) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(db + "/wal")) out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

uint32_t segment_version(const std::string& path) {
  std::string bytes = io::read_file(io::default_file_system(), path);
  uint32_t v = 0;
  std::memcpy(&v, bytes.data() + 8, 4);
  return v;
}

// Makes a segment look written by an older kilndb (header version 1).
void set_segment_version(const std::string& path, uint32_t version) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(8);
  f.write(reinterpret_cast<const char*>(&version), 4);
}

TEST(OlderEncoding, EmptyVersion1SegmentIsWrittenAgain) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  ASSERT_EQ(kiln_close(db), KILN_OK);
  std::vector<std::string> segs = segments(dir.db());
  ASSERT_EQ(segs.size(), 1u);
  set_segment_version(segs[0], 1);
  db = must_open(dir.db());
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{"at":"2026-12-02T14:34:00Z"}}})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  segs = segments(dir.db());
  ASSERT_EQ(segs.size(), 1u);
  EXPECT_EQ(segment_version(segs[0]), 2u);
  db = must_open(dir.db());
  EXPECT_NE(get_doc(db, "c", "k").find("\"at\":\"2026-12-02T14:34:00Z\""), std::string::npos);
  ASSERT_EQ(kiln_close(db), KILN_OK);
}

TEST(OlderEncoding, LogWrittenBeforeStampsLoadsAndAnswersTheSame) {
  TempDir dir;
  const std::string docs[] = {
      R"({"_v":1,"createdAt":"2026-12-01T10:00:00Z","modifiedAt":"2026-12-01T10:00:00Z","at":"2026-12-02T14:34:00.000Z",)"
      R"("tags":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}],"city":"Lima","n":1})",
      R"({"_v":2,"createdAt":"2026-12-01T10:00:01Z","modifiedAt":"2026-12-01T11:00:00Z","at":"2026-12-02T14:34:00Z",)"
      R"("tags":[],"city":"lima","n":2})",
  };
  {
    io::FileSystem& fs = io::default_file_system();
    fs.make_dir(dir.db());
    fs.make_dir(dir.db() + "/wal");
    wal::WalOptions options;
    options.fs = &fs;
    options.dir = dir.db() + "/wal";
    auto log = wal::Wal::open(options, 0, [](uint64_t, int64_t, std::string_view) {});
    std::vector<Mutation> batch;
    for (size_t i = 0; i < 2; ++i) {
      simdjson::dom::parser parser;
      std::string now = doc::encode(parser.parse(docs[i]).value());
      Mutation m{Mutation::Kind::kPut, "c", "", DocRef::make("k" + std::to_string(i), testing::old_form(doc::Value(now))), "", {}};
      ASSERT_EQ(m.record->value().tag(), doc::kObject16);
      batch.push_back(std::move(m));
    }
    batch.push_back(Mutation{Mutation::Kind::kCreateIndex, "c", "", {}, R"({"field":"at","unique":false})", {}});
    batch.push_back(Mutation{Mutation::Kind::kCreateIndex, "c", "", {}, R"({"field":"tags","unique":false})", {}});
    std::string payload;
    wal::encode_batch(batch, payload);
    log->append(1, 0, payload);
    log->wait_durable(1);
  }
  ASSERT_EQ(segments(dir.db()).size(), 1u);
  set_segment_version(segments(dir.db())[0], 1);
  kiln_db* db = must_open(dir.db());
  auto get = [&](const std::string& request) { return must_exec(db, request); };
  EXPECT_EQ(get(R"({"op":"get","collection":"c","keys":"k0","fields":["at","createdAt","tags"]})"),
            R"({"_v":1,"at":"2026-12-02T14:34:00.000Z","createdAt":"2026-12-01T10:00:00Z",)"
            R"("tags":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}]})");
  // New documents (stamps, u8 tables) next to the old ones, in a new
  // segment of version 2: the version 1 one stays as it was.
  get(R"({"op":"set","collection":"c","data":{"k2":{"at":"2026-12-02T14:34:00.000Z","tags":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}],"city":"LIMA","n":3}}})");
  std::vector<std::string> segs = segments(dir.db());
  ASSERT_EQ(segs.size(), 2u);
  EXPECT_EQ(segment_version(segs[0]), 1u);
  EXPECT_EQ(segment_version(segs[1]), 2u);
  auto keys = [&](const std::string& where, const std::string& extra = "") {
    std::string body = get(R"({"op":"get","collection":"c","fields":["n"],"where":)" + where + extra + "}");
    return body;
  };
  EXPECT_EQ(keys(R"({"at":"2026-12-02T14:34:00.000Z"})"), R"([{"_key":"k0","_v":1,"n":1},{"_key":"k2","_v":1,"n":3}])");
  EXPECT_EQ(keys(R"({"tags":{"$eq":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}]}})"),
            R"([{"_key":"k0","_v":1,"n":1},{"_key":"k2","_v":1,"n":3}])");
  EXPECT_EQ(keys(R"({"city":"lima"})", R"(,"sort":[{"field":"at","order":"desc"}])"),
            R"([{"_key":"k1","_v":2,"n":2},{"_key":"k0","_v":1,"n":1},{"_key":"k2","_v":1,"n":3}])");
  EXPECT_EQ(get(R"({"op":"aggregate","collection":"c","groupBy":"tags","metrics":{"n":{"$count":"*"}}})"),
            R"([{"_group":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}],"n":2},{"_group":[],"n":1}])");
  // An update keeps the old createdAt text, now in the new form.
  get(R"({"op":"set","collection":"c","data":{"k1":{"n":20}}})");
  EXPECT_EQ(get(R"({"op":"get","collection":"c","keys":"k1","fields":["_v","createdAt","n"]})"),
            R"({"_v":3,"createdAt":"2026-12-01T10:00:01Z","n":20})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  db = must_open(dir.db());
  EXPECT_EQ(get(R"({"op":"get","collection":"c","keys":"k1","fields":["_v","createdAt","n"]})"),
            R"({"_v":3,"createdAt":"2026-12-01T10:00:01Z","n":20})");
  EXPECT_EQ(keys(R"({"at":"2026-12-02T14:34:00.000Z"})"), R"([{"_key":"k0","_v":1,"n":1},{"_key":"k2","_v":1,"n":3}])");
  // A snapshot of both forms: verified, reloaded, the same answers.
  std::string before = get(R"({"op":"get","collection":"c"})");
  get(R"({"op":"snapshot"})");
  ASSERT_EQ(kiln_close(db), KILN_OK);
  char* report = nullptr;
  ASSERT_EQ(kiln_verify(dir.db().c_str(), &report, nullptr, nullptr), KILN_OK);
  EXPECT_NE(std::string(report).find("\"ok\":true,\"problems\":[]"), std::string::npos) << report;
  kiln_free(report);
  db = must_open(dir.db());
  EXPECT_EQ(get(R"({"op":"get","collection":"c"})"), before);
  EXPECT_EQ(keys(R"({"tags":{"$eq":["2026-12-02T14:34:00Z",{"t":"1970-01-01T00:00:00Z"}]}})"),
            R"([{"_key":"k0","_v":1,"n":1},{"_key":"k2","_v":1,"n":3}])");
  ASSERT_EQ(kiln_close(db), KILN_OK);
}

}  // namespace
}  // namespace kiln::durability_testing
