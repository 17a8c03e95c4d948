// The write rules of QUERY.md (set, update, delete, batch) and get by keys,
// through the C API.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace kiln::testing {
namespace {

const std::regex kIsoSecond("\"createdAt\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\"");

class WriteOps : public ::testing::Test {
 protected:
  // Every document of the collections tests use, to prove "unchanged".
  std::string dump() const {
    std::string all;
    for (const char* c : {"default", "users", "items", "a", "b"}) {
      all += c;
      all += ":" + db.run(std::string(R"({"op":"get","collection":")") + c + "\"}").body + "\n";
    }
    return all;
  }
  void expect_error(std::string_view request, int32_t status, std::string_view message) {
    std::string before = dump();
    Result r = db.run(request);
    EXPECT_EQ(r.status, status) << request;
    EXPECT_EQ(r.body, message) << request;
    EXPECT_EQ(dump(), before) << "a failed request changed the database: " << request;
  }
  TestDb db;
};

TEST_F(WriteOps, SetObjectDataAddsMetadata) {
  EXPECT_EQ(db.ok(R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada"},"u2":{"name":"Bob"}}})"),
            R"({"count":2,"status":"ok"})");
  std::string doc = db.ok(R"({"op":"get","collection":"users","keys":"u1"})");
  EXPECT_TRUE(std::regex_search(doc, kIsoSecond)) << doc;
  EXPECT_EQ(mask_times(doc), R"({"_v":1,"createdAt":"T","modifiedAt":"T","name":"Ada"})");
}

TEST_F(WriteOps, SetWritesInKeyOrderAndTheLastDuplicateWins) {
  EXPECT_EQ(db.ok(R"({"op":"set","collection":"a","data":{"k2":{"n":1},"k1":{"n":2},"k2":{"n":3}}})"),
            R"({"count":2,"status":"ok"})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"a","keys":"k2"})")),
            R"({"_v":1,"createdAt":"T","modifiedAt":"T","n":3})");
  EXPECT_EQ(db.ok(R"({"op":"set","collection":"a","data":{"k3":{"n":4},"k4":{"n":5}}})"), R"({"count":2,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"changes","since":0})"),
            R"({"changes":[{"collection":"a","key":"k1","lsn":1,"new_v":1},{"collection":"a","key":"k2","lsn":1,"new_v":1},)"
            R"({"collection":"a","key":"k3","lsn":2,"new_v":1},{"collection":"a","key":"k4","lsn":2,"new_v":1}],)"
            R"("last_lsn":2,"status":"ok"})");
}

// The change feed reports the _v each set stored: 1 for a new document, the
// next version for a replaced one, a client _v as stored (the last of
// repeated ones, 0 when it is not a non-negative integer), 0 for non-objects.
TEST_F(WriteOps, SetReportsTheStoredVersionToTheChangeFeed) {
  db.ok(R"({"op":"set","collection":"a","data":{"new":{"n":1},"sent":{"_v":7},"twice":{"_v":4,"_v":9},)"
        R"("odd":{"_v":"x"},"scalar":5}})");
  db.ok(R"({"op":"set","collection":"a","data":{"new":{"n":2},"sent":{"_v":8,"n":1}}})");
  EXPECT_EQ(db.ok(R"({"op":"changes","since":0})"),
            R"({"changes":[{"collection":"a","key":"new","lsn":1,"new_v":1},{"collection":"a","key":"odd","lsn":1,"new_v":0},)"
            R"({"collection":"a","key":"scalar","lsn":1,"new_v":0},{"collection":"a","key":"sent","lsn":1,"new_v":7},)"
            R"({"collection":"a","key":"twice","lsn":1,"new_v":9},{"collection":"a","key":"new","lsn":2,"new_v":2},)"
            R"({"collection":"a","key":"sent","lsn":2,"new_v":8}],"last_lsn":2,"status":"ok"})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"a","keys":"twice"})")),
            R"({"_v":9,"createdAt":"T","modifiedAt":"T"})");
}

TEST_F(WriteOps, SetArrayDataGeneratesOrderedUuid7Keys) {
  std::string body = db.ok(R"({"op":"set","collection":"items","data":[{"n":1},{"n":2},{"n":3}]})");
  std::regex shape(R"re(\{"count":3,"ids":\["([0-9a-f-]{36})","([0-9a-f-]{36})","([0-9a-f-]{36})"\],"status":"ok"\})re");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(body, m, shape)) << body;
  std::regex uuid7("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 1; i <= 3; ++i) EXPECT_TRUE(std::regex_match(m[i].str(), uuid7)) << m[i];
  EXPECT_LT(m[1].str(), m[2].str());
  EXPECT_LT(m[2].str(), m[3].str());
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"items","keys":")" + m[2].str() + "\"}")),
            R"({"_v":1,"createdAt":"T","modifiedAt":"T","n":2})");
}

TEST_F(WriteOps, SetArrayIsExemptFromTheKeyLimit) {
  std::string many = R"({"op":"set","collection":"items","data":[)";
  for (int i = 0; i < 1001; ++i) many += i ? ",{}" : "{}";
  EXPECT_NE(db.ok(many + "]}").find(R"("count":1001)"), std::string::npos);
}

TEST_F(WriteOps, ReplaceBumpsVersionKeepsCreatedAtAndDropsOldFields) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada","old":true}}})");
  std::string first = db.ok(R"({"op":"get","collection":"users","keys":"u1"})");
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada L","createdAt":"1999","modifiedAt":"x"}}})");
  std::string second = db.ok(R"({"op":"get","collection":"users","keys":"u1"})");
  EXPECT_EQ(mask_times(second), R"({"_v":2,"createdAt":"T","modifiedAt":"T","name":"Ada L"})");
  std::smatch a, b;
  std::regex created("\"createdAt\":\"([^\"]+)\"");
  ASSERT_TRUE(std::regex_search(first, a, created));
  ASSERT_TRUE(std::regex_search(second, b, created));
  EXPECT_EQ(a[1], b[1]);
  EXPECT_EQ(second.find("1999"), std::string::npos);
}

TEST_F(WriteOps, ClientVersionOnNewDocumentIsKeptAsSent) {
  db.ok(R"({"op":"set","collection":"users","data":{"a":{"_v":5},"b":{"_v":"abc"},"c":{"_v":null}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"a"})").find(R"("_v":5)"), std::string::npos);
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"b"})").find(R"("_v":"abc")"), std::string::npos);
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"c"})").find(R"("_v":null)"), std::string::npos);
}

TEST_F(WriteOps, OutdatedVersionConflictsNewerIsAccepted) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"_v":3}}})");
  expect_error(R"({"op":"set","collection":"users","data":{"u1":{"_v":3,"x":1}}})", KILN_CONFLICT,
               "Conflict: Document version is outdated");
  expect_error(R"({"op":"set","collection":"users","data":{"u1":{"_v":0}}})", KILN_CONFLICT,
               "Conflict: Document version is outdated");
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"_v":10}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"u1"})").find(R"("_v":4)"), std::string::npos);
  // A _v that is not a non-negative integer is no version: ignored.
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"_v":2.0}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"u1"})").find(R"("_v":5)"), std::string::npos);
}

TEST_F(WriteOps, SetIsAtomicAcrossItems) {
  db.ok(R"({"op":"set","collection":"users","data":{"b":{"_v":2}}})");
  expect_error(R"({"op":"set","collection":"users","data":{"a":{"n":1},"b":{"_v":1},"c":{"n":3}}})", KILN_CONFLICT,
               "Conflict: Document version is outdated");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"users","keys":"a"})").status, KILN_NOT_FOUND);
}

TEST_F(WriteOps, NonObjectValuesAreStoredAsIs) {
  db.ok(R"({"op":"set","collection":"items","data":{"n":5,"s":"text","l":[1,2],"z":null}})");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"items","keys":"n"})"), "5");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"items","keys":"l"})"), "[1,2]");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"items","keys":"z"})"), "null");
  // Replacing a non-object with an object starts its versions at 1.
  db.ok(R"({"op":"set","collection":"items","data":{"n":{"a":1}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"items","keys":"n"})").find(R"("_v":1)"), std::string::npos);
}

TEST_F(WriteOps, ExtendsEmbedsReferencedDocuments) {
  db.ok(R"({"op":"set","collection":"a","data":{"k.1":{"x":1}}})");
  db.ok(R"({"op":"set","collection":"b","data":{"d":{"own":1,"ref":"keep","extends":{"ref":"a.k.1","gone":"a.nope","bad":"nodot","num":5}}}})");
  std::string d = mask_times(db.ok(R"({"op":"get","collection":"b","keys":"d"})"));
  EXPECT_EQ(d, R"({"_v":1,"createdAt":"T","modifiedAt":"T","own":1,"ref":{"_v":1,"createdAt":"T","modifiedAt":"T","x":1}})");
  // A non-object extends is an ordinary field.
  db.ok(R"({"op":"set","collection":"b","data":{"e":{"extends":"a.k.1"}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"b","keys":"e"})").find(R"("extends":"a.k.1")"), std::string::npos);
}

TEST_F(WriteOps, SetRejectsBadRequestsAndChangesNothing) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"n":1}}})");
  expect_error(R"({"op":"set","collection":"users"})", KILN_INVALID_ARGUMENT, "Missing 'data' (object or array)");
  expect_error(R"({"op":"set","collection":"users","data":5})", KILN_INVALID_ARGUMENT,
               "Missing 'data' (object or array)");
  expect_error(R"({"op":"set","collection":"users","data":{},"zeta":1,"alpha":2})", KILN_INVALID_ARGUMENT,
               "Unknown property: 'alpha'. Check the API docs for supported properties");
  expect_error(R"({"op":"set","collection":"us ers","data":{}})", KILN_INVALID_ARGUMENT,
               "Invalid collection name: 'us ers'. Must be alphanumeric with _, - only (1-64 chars)");
  expect_error(R"({"op":"set","collection":"system","data":{}})", KILN_INVALID_ARGUMENT,
               "Invalid collection name: 'system (reserved name)'. Must be alphanumeric with _, - only (1-64 chars)");
  expect_error(R"({"op":"set","collection":")" + std::string(65, 'c') + R"(","data":{}})", KILN_INVALID_ARGUMENT,
               "Collection name too long (max 64 characters)");
  expect_error(R"({"op":"set","collection":"users","data":{"ok":{},"bad/key":{}}})", KILN_INVALID_ARGUMENT,
               "Invalid key name: 'bad/key'. Must be alphanumeric with _, -, . only (1-256 chars)");
  expect_error(R"({"op":"set","collection":"users","data":{")" + std::string(257, 'k') + R"(":{}}})",
               KILN_INVALID_ARGUMENT, "Key name too long (max 256 characters)");
  // Of several bad keys, the alphabetically first is named, whatever their order in the request.
  expect_error(R"({"op":"set","collection":"users","data":{"z/bad":{},")" + std::string(257, 'k') +
                   R"(":{},"ok":{},"b d":{}}})",
               KILN_INVALID_ARGUMENT, "Invalid key name: 'b d'. Must be alphanumeric with _, -, . only (1-256 chars)");
  expect_error(R"({"op":"set","collection":"users","data":{"z/bad":{},")" + std::string(257, 'k') + R"(":{}}})",
               KILN_INVALID_ARGUMENT, "Key name too long (max 256 characters)");
  std::string many = R"({"op":"set","collection":"users","data":{)";
  for (int i = 0; i < 1001; ++i) many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":{}";
  expect_error(many + "}}", KILN_INVALID_ARGUMENT, "Too many keys in single request (max 1000)");
  std::string deep = std::string(40, '[') + std::string(40, ']');
  expect_error(R"({"op":"set","collection":"users","data":{"d":)" + deep + "}}", KILN_INVALID_ARGUMENT,
               "JSON nesting too deep (max 32 levels)");
  expect_error("{\"op\":\"set\",\"collection\":\"users\",\"data\":{\"u1\":\"\xc3\x28\"}}", KILN_INVALID_ARGUMENT,
               "Invalid JSON: the text is not valid UTF-8");
  expect_error(R"({"op":"frobnicate"})", KILN_INVALID_ARGUMENT,
               "Unknown op: 'frobnicate'. Use set, update, delete, get or batch");
  Result r = db.run(R"({"collection":"users"})");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  EXPECT_NE(r.body.find("Missing 'op'"), std::string::npos);
  EXPECT_EQ(db.run("[1,2]").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(db.run("{\"op\":\"set\",").status, KILN_INVALID_ARGUMENT);
}

TEST_F(WriteOps, MissingOrNonStringCollectionMeansDefault) {
  db.ok(R"({"op":"set","data":{"k":{"n":1}}})");
  db.ok(R"({"op":"set","collection":7,"data":{"j":{"n":2}}})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"default"})")),
            R"([{"_key":"j","_v":1,"createdAt":"T","modifiedAt":"T","n":2},{"_key":"k","_v":1,"createdAt":"T","modifiedAt":"T","n":1}])");
}

TEST_F(WriteOps, UpdateMergesShallowly) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada","addr":{"city":"X","zip":"1"},"n":1}}})");
  EXPECT_EQ(db.ok(R"({"op":"update","collection":"users","data":{"u1":{"addr":{"city":"Y"},"n":null,"new":true,"createdAt":"1999","modifiedAt":"1999"}}})"),
            R"({"status":"ok","updated":1})");
  std::string doc = db.ok(R"({"op":"get","collection":"users","keys":"u1"})");
  EXPECT_EQ(mask_times(doc), R"({"_v":2,"addr":{"city":"Y"},"createdAt":"T","modifiedAt":"T","n":null,"name":"Ada","new":true})");
  EXPECT_EQ(doc.find("1999"), std::string::npos);
}

TEST_F(WriteOps, UpdateSkipsMissingKeysAndNeverUpserts) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"n":1}}})");
  EXPECT_EQ(db.ok(R"({"op":"update","collection":"users","data":{"u1":{"n":2},"ghost":{"n":3}}})"),
            R"({"status":"ok","updated":1})");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"users","keys":"ghost"})").status, KILN_NOT_FOUND);
}

TEST_F(WriteOps, UpdateVersionGuard) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"n":1},"u2":{"n":1}}})");
  db.ok(R"({"op":"update","collection":"users","data":{"u1":{"_v":1,"n":2}}})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"users","keys":"u1"})").find(R"("_v":2)"), std::string::npos);
  // One stale guard fails the whole request: u2 stays untouched too.
  expect_error(R"({"op":"update","collection":"users","data":{"u1":{"_v":1,"n":3},"u2":{"n":9}}})", KILN_CONFLICT,
               "Conflict: Document version is outdated");
  // A guard that is not a non-negative integer is no guard (as rc2).
  db.ok(R"({"op":"update","collection":"users","data":{"u1":{"_v":"1","n":4}}})");
}

TEST_F(WriteOps, UpdateUnsetRemovesPaths) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"a":1,"b":{"c":2,"d":3},"e":4}}})");
  db.ok(R"({"op":"update","collection":"users","data":{"u1":{"$unset":["a","b.c","nope.x"],"e":5}}})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"users","keys":"u1"})")),
            R"({"_v":2,"b":{"d":3},"createdAt":"T","e":5,"modifiedAt":"T"})");
  expect_error(R"({"op":"update","collection":"users","data":{"u1":{"$unset":"a"}}})", KILN_INVALID_ARGUMENT,
               "Invalid '$unset': expected an array of field paths");
  expect_error(R"({"op":"update","collection":"users","data":{"u1":{"$unset":["a..b"]}}})", KILN_INVALID_ARGUMENT,
               "Invalid field name: 'a..b'. Must be alphanumeric with _, -, . only (1-128 chars)");
}

TEST_F(WriteOps, UpdateRejectsNonObjectData) {
  expect_error(R"({"op":"update","collection":"users","data":[{"n":1}]})", KILN_INVALID_ARGUMENT, "Missing 'data' map");
  expect_error(R"({"op":"update","collection":"users"})", KILN_INVALID_ARGUMENT, "Missing 'data' map");
  expect_error(R"({"op":"update","collection":"users","data":{},"keys":"x"})", KILN_INVALID_ARGUMENT,
               "Unknown property: 'keys'. Check the API docs for supported properties");
}

TEST_F(WriteOps, UpdateWithNonObjectPatchCountsButChangesNothing) {
  db.ok(R"({"op":"set","collection":"users","data":{"u1":{"n":1}}})");
  std::string before = db.ok(R"({"op":"get","collection":"users","keys":"u1"})");
  EXPECT_EQ(db.ok(R"({"op":"update","collection":"users","data":{"u1":5}})"), R"({"status":"ok","updated":1})");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"users","keys":"u1"})"), before);
}

TEST_F(WriteOps, DeleteCountsRealDeletions) {
  db.ok(R"({"op":"set","collection":"users","data":{"a":{},"b":{},"c":{}}})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"users","keys":"a"})"), R"({"deleted":1,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"users","keys":"a"})"), R"({"deleted":0,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"users","keys":["b","b","zz",7]})"), R"({"deleted":1,"status":"ok"})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"users"})")),
            R"([{"_key":"c","_v":1,"createdAt":"T","modifiedAt":"T"}])");
}

TEST_F(WriteOps, DeleteDropRemovesTheCollection) {
  db.ok(R"({"op":"set","collection":"users","data":{"a":{},"b":{}}})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"users","drop":true})"), R"({"dropped":true,"status":"ok"})");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"users"})").status, KILN_NOT_FOUND);
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"never","drop":true})"), R"({"dropped":true,"status":"ok"})");
}

TEST_F(WriteOps, DeleteNeedsKeysOrDrop) {
  expect_error(R"({"op":"delete","collection":"users"})", KILN_INVALID_ARGUMENT,
               "Missing 'keys' (string or array) or 'drop': true");
  expect_error(R"({"op":"delete","collection":"users","drop":"yes"})", KILN_INVALID_ARGUMENT,
               "Missing 'keys' (string or array) or 'drop': true");
  expect_error(R"({"op":"delete","collection":"users","keys":5})", KILN_INVALID_ARGUMENT,
               "Missing 'keys' (string or array) or 'drop': true");
  // get/delete validate names before unknown properties (rc2's order).
  expect_error(R"({"op":"delete","collection":"admin","bogus":1})", KILN_INVALID_ARGUMENT,
               "Invalid collection name: 'admin (reserved name)'. Must be alphanumeric with _, - only (1-64 chars)");
}

TEST_F(WriteOps, GetByKeys) {
  db.ok(R"({"op":"set","collection":"users","data":{"a":{"n":1},"b":{"n":2}}})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"users","keys":["b","zz","a","b"]})")),
            R"([{"_key":"b","_v":1,"createdAt":"T","modifiedAt":"T","n":2},{"_key":"a","_v":1,"createdAt":"T","modifiedAt":"T","n":1}])");
  Result none = db.run(R"({"op":"get","collection":"users","keys":["zz"]})");
  EXPECT_EQ(none.status, KILN_NOT_FOUND);
  EXPECT_EQ(none.body, "No documents found");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"users","keys":[]})").status, KILN_NOT_FOUND);
  EXPECT_EQ(db.run(R"({"op":"get","collection":"nothing"})").status, KILN_NOT_FOUND);
  // Non-string, non-array keys are ignored: the whole collection.
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"users","keys":5})"), db.ok(R"({"op":"get","collection":"users"})"));
  expect_error(R"({"op":"get","collection":"users","keys":["ok","b d"]})", KILN_INVALID_ARGUMENT,
               "Invalid key name: 'b d'. Must be alphanumeric with _, -, . only (1-256 chars)");
  expect_error(R"({"op":"get","collection":"users","fields":["a"],"excludedFields":["b"]})", KILN_INVALID_ARGUMENT,
               "'fields' and 'excludedFields' cannot be used together");
  expect_error(R"({"op":"get","collection":"users","fields":["a..b"]})", KILN_INVALID_ARGUMENT,
               "Invalid field name: 'a..b'. Must be alphanumeric with _, -, . only (1-128 chars)");
  expect_error(R"({"op":"get","collection":"users","data":{}})", KILN_INVALID_ARGUMENT,
               "Unknown property: 'data'. Check the API docs for supported properties");
}

TEST_F(WriteOps, BatchIsAllOrNothingAcrossCollections) {
  EXPECT_EQ(db.ok(R"({"op":"batch","ops":[
      {"op":"set","collection":"a","data":{"k":{"n":1}}},
      {"op":"update","collection":"a","data":{"k":{"_v":1,"n":2}}},
      {"op":"set","collection":"b","data":{"k":{"n":3}}},
      {"op":"delete","collection":"b","keys":"k"}]})"),
            R"({"results":[{"count":1,"status":"ok"},{"status":"ok","updated":1},{"count":1,"status":"ok"},{"deleted":1,"status":"ok"}],"status":"ok"})");
  EXPECT_NE(db.ok(R"({"op":"get","collection":"a","keys":"k"})").find(R"("n":2)"), std::string::npos);
  EXPECT_EQ(db.run(R"({"op":"get","collection":"b","keys":"k"})").status, KILN_NOT_FOUND);

  expect_error(R"({"op":"batch","ops":[{"op":"set","collection":"b","data":{"new":{}}},{"op":"update","collection":"a","data":{"k":{"_v":1}}}]})",
               KILN_CONFLICT, "batch ops[1]: Conflict: Document version is outdated");
  expect_error(R"({"op":"batch","ops":[{"op":"delete","collection":"a","drop":true},{"op":"get","collection":"a"}]})",
               KILN_INVALID_ARGUMENT, "batch ops[1]: only set, update and delete can be batched");
  expect_error(R"({"op":"batch","ops":[{"op":"delete","collection":"a","drop":true},5]})", KILN_INVALID_ARGUMENT,
               "batch ops[1]: expected a request object");
  expect_error(R"({"op":"batch"})", KILN_INVALID_ARGUMENT, "Missing 'ops' (array of write requests)");
  EXPECT_EQ(db.ok(R"({"op":"batch","ops":[]})"), R"({"results":[],"status":"ok"})");
}

// Later ops of a batch see the earlier ones' documents in their order: puts
// of several collections, then a drop of one, a delete and a put again.
TEST_F(WriteOps, BatchOpsSeeEarlierPutsDeletesAndDropsInOrder) {
  db.ok(R"({"op":"batch","ops":[
      {"op":"set","collection":"a","data":{"gone":{"n":1}}},
      {"op":"set","collection":"b","data":{"k":{"n":1},"again":{"n":1}}},
      {"op":"delete","collection":"a","drop":true},
      {"op":"update","collection":"a","data":{"gone":{"n":9}}},
      {"op":"update","collection":"b","data":{"k":{"_v":1,"n":2}}},
      {"op":"delete","collection":"b","keys":"again"},
      {"op":"set","collection":"b","data":{"again":{"n":3}}},
      {"op":"set","collection":"a","data":{"new":{"n":4}}}]})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"a"})")),
            R"([{"_key":"new","_v":1,"createdAt":"T","modifiedAt":"T","n":4}])");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"b"})")),
            R"([{"_key":"again","_v":1,"createdAt":"T","modifiedAt":"T","n":3},)"
            R"({"_key":"k","_v":2,"createdAt":"T","modifiedAt":"T","n":2}])");
}

TEST_F(WriteOps, DropThenSetInOneBatch) {
  db.ok(R"({"op":"set","collection":"a","data":{"old":{}}})");
  db.ok(R"({"op":"batch","ops":[{"op":"delete","collection":"a","drop":true},{"op":"set","collection":"a","data":{"new":{}}}]})");
  EXPECT_EQ(mask_times(db.ok(R"({"op":"get","collection":"a"})")), R"([{"_key":"new","_v":1,"createdAt":"T","modifiedAt":"T"}])");
}

// A set of many items plans them on several threads. Its outcome is the one
// planning them in order gives: here, the same items sent in requests too
// small to be split (replacements, client _v, extends, non-objects and a
// repeated key, whose last value wins), compared document by document.
TEST_F(WriteOps, LargeSetStoresWhatSmallSetsStore) {
  db.ok(R"({"op":"set","collection":"items","data":{"r0":{"x":0},"r1":{"x":1}}})");
  std::string seed;
  for (int i = 0; i < 300; i += 3) seed += (seed.empty() ? "\"k" : ",\"k") + std::to_string(i) + R"(":{"old":true})";
  for (const char* c : {"a", "b"}) db.ok(std::string(R"({"op":"set","collection":")") + c + R"(","data":{)" + seed + "}}");

  // The items, in an order that is not key order; a repeated key stays in one entry.
  std::vector<std::string> entries;
  for (int j = 0; j < 300; ++j) {
    int i = (j * 7) % 300;
    std::string key = "\"k" + std::to_string(i) + "\":";
    std::string value = i % 11 == 0 ? "[" + std::to_string(i) + ",\"x\"]" : R"({"n":)" + std::to_string(i);
    if (i % 11 != 0) {
      if (i % 5 == 0) value += R"(,"_v":)" + std::to_string(i + 10);
      if (i % 7 == 0) value += R"(,"extends":{"ref":"items.r)" + std::to_string(i % 2) + "\"}";
      value += "}";
    }
    entries.push_back(i % 13 == 0 ? key + R"({"dup":"first"},)" + key + value : key + value);
  }
  auto set = [&](const char* collection, size_t begin, size_t end) {
    std::string request = std::string(R"({"op":"set","collection":")") + collection + R"(","data":{)";
    for (size_t e = begin; e < end; ++e) request += (e > begin ? "," : "") + entries[e];
    return db.ok(request + "}}");
  };
  EXPECT_EQ(set("a", 0, entries.size()), R"({"count":300,"status":"ok"})");
  for (size_t e = 0; e < entries.size(); e += 10) EXPECT_EQ(set("b", e, e + 10), R"({"count":10,"status":"ok"})");
  std::string a = mask_times(db.ok(R"({"op":"get","collection":"a"})"));
  EXPECT_EQ(a, mask_times(db.ok(R"({"op":"get","collection":"b"})")));
  EXPECT_NE(a.find(R"({"_key":"k14","_v":1,"createdAt":"T","modifiedAt":"T","n":14,"ref":{"_v":1,)"), std::string::npos);
  EXPECT_NE(a.find(R"({"_key":"k25","_v":35,"createdAt":"T","modifiedAt":"T","n":25})"), std::string::npos);
  EXPECT_NE(a.find(R"({"_key":"k3","_v":2,"createdAt":"T","modifiedAt":"T","n":3})"), std::string::npos);
}

// Generated keys of a large array set follow the items' order.
TEST_F(WriteOps, LargeArraySetKeysFollowTheItems) {
  std::string request = R"({"op":"set","collection":"a","data":[)";
  for (int i = 0; i < 200; ++i) request += (i ? "," : "") + std::string(R"({"i":)") + std::to_string(i) + "}";
  std::string body = db.ok(request + "]}");
  std::vector<std::string> ids;
  for (size_t at = body.find("\"ids\":[") + 7; body[at] == '"'; at += 39) ids.push_back(body.substr(at + 1, 36));
  ASSERT_EQ(ids.size(), 200u) << body;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) {
      EXPECT_LT(ids[i - 1], ids[i]);
    }
    EXPECT_NE(db.ok(R"({"op":"get","collection":"a","keys":")" + ids[i] + "\"}").find("\"i\":" + std::to_string(i) + ","),
              std::string::npos);
  }
}

// A large set fails as a small one would: the error of its first bad item,
// planning errors (a conflict) ahead of errors found while putting (a
// schema), a depth error ahead of anything; and nothing is stored.
TEST_F(WriteOps, LargeSetFailsLikeASmallOneAndChangesNothing) {
  db.ok(R"({"op":"schema","collection":"users","schema":{"type":"object","required":["n"],"properties":{"n":{"type":"integer"}}}})");
  std::string seed;
  for (int i = 100; i < 300; ++i) seed += (seed.empty() ? "\"u" : ",\"u") + std::to_string(i) + R"(":{"_v":5,"n":0})";
  db.ok(R"({"op":"set","collection":"users","data":{)" + seed + "}}");
  auto request = [](std::initializer_list<std::pair<int, std::string>> bad) {
    std::string r = R"({"op":"set","collection":"users","data":{)";
    for (int i = 100; i < 400; ++i) {
      std::string value = R"({"n":1})";
      for (const auto& [at, v] : bad) {
        if (at == i) value = v;
      }
      r += (i > 100 ? ",\"u" : "\"u") + std::to_string(i) + "\":" + value;
    }
    return r + "}}";
  };
  const std::string conflict = "Conflict: Document version is outdated";
  expect_error(request({{250, R"({"_v":2})"}}), KILN_CONFLICT, conflict);
  expect_error(request({{120, R"({"_v":"x","n":"one"})"}, {290, R"({"_v":3})"}}), KILN_CONFLICT, conflict);
  expect_error(request({{150, R"({"_v":1})"}, {380, std::string(40, '[') + std::string(40, ']')}}),
               KILN_INVALID_ARGUMENT, "JSON nesting too deep (max 32 levels)");
  Result first = db.run(R"({"op":"set","collection":"users","data":{"u130":{"n":"one"}}})");
  ASSERT_EQ(first.status, KILN_INVALID_ARGUMENT);
  expect_error(request({{130, R"({"n":"one"})"}, {350, "{}"}}), KILN_INVALID_ARGUMENT, first.body);
}

TEST(WriteLimits, AreConfigurable) {
  TestDb db(R"({"mode":"memory","max_keys":2,"max_depth":3,"max_request_bytes":200})");
  EXPECT_EQ(db.run(R"({"op":"set","data":{"a":1,"b":2,"c":3}})").body, "Too many keys in single request (max 2)");
  EXPECT_EQ(db.run(R"({"op":"set","data":{"a":[[1]]}})").body, "JSON nesting too deep (max 3 levels)");
  EXPECT_EQ(db.run(R"({"op":"set","data":{"a":")" + std::string(300, 'x') + "\"}}").body,
            "Payload too large (max 200 bytes)");
  EXPECT_EQ(db.ok(R"({"op":"set","data":{"a":[1],"b":2}})"), R"({"count":2,"status":"ok"})");
}

// set measures its items' depth while encoding them: the limit still holds
// for every item (also a skipped duplicate, an `extends`, a second `data`),
// exactly at the boundary, and its error comes ahead of any other.
TEST(WriteLimits, DepthCountsEveryItemAndIsReportedFirst) {
  TestDb db(R"({"mode":"memory","max_depth":3})");
  const std::string too_deep = "JSON nesting too deep (max 3 levels)";
  EXPECT_EQ(db.ok(R"({"op":"set","collection":"c","data":{"a":{"_v":1},"b":[[]],"c":{"extends":{}},"d":[1]}})"),
            R"({"count":4,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"set","collection":"c","data":[[1],{"x":{}}]})").substr(0, 10), R"({"count":2)");
  std::string before = db.ok(R"({"op":"get","collection":"c"})");
  for (const char* request : {
           R"({"op":"set","collection":"c","data":{"a":[[1]]}})",
           R"({"op":"set","collection":"c","data":[{"x":[1]}]})",
           R"({"op":"set","collection":"c","data":{"d":{"x":[1]},"d":1}})",           // skipped duplicate
           R"({"op":"set","collection":"c","data":{"e":{"extends":{"x":"c.a"}}}})",   // extends is not stored
           R"({"op":"set","collection":"c","data":{"a":{"_v":0},"z":[[1]]}})",         // after a conflict
           R"({"op":"set","collection":"c","data":{"bad/key":1,"d":[[1]]}})",         // with a bad key
           R"({"op":"set","collection":[[[1]]],"data":{"ok":1}})",                    // outside data
           R"({"op":"set","collection":"c","data":{"ok":1},"data":{"b":[[1]]}})",     // a second data
       }) {
    EXPECT_EQ(db.run(request).body, too_deep) << request;
  }
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"c"})"), before);
  EXPECT_EQ(db.run(R"({"op":"set","collection":"c","data":{"a":{"_v":0}}})").body,
            "Conflict: Document version is outdated");
}

TEST(Open, RejectsBadOptions) {
  for (const char* options : {R"({"mode":"fast"})", R"({"max_keys":0})", R"({"max_depth":"x"})", R"({"typo":1})", "[]", "{"}) {
    kiln_db* db = nullptr;
    kiln_error* err = nullptr;
    EXPECT_EQ(kiln_open(nullptr, options, &db, &err), KILN_INVALID_ARGUMENT) << options;
    EXPECT_EQ(db, nullptr);
    EXPECT_STRNE(kiln_error_message(err), "");
    kiln_error_free(err);
  }
}

}  // namespace
}  // namespace kiln::testing
