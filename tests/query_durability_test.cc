// Index and schema definitions survive reopen, both from the write-ahead log
// and from a snapshot, and are rebuilt (indexes refilled, unique and schema
// rules enforced again).
#include <gtest/gtest.h>

#include <string>

#include "durability_helpers.h"

namespace kiln::durability_testing {
namespace {

void expect_definitions_work(kiln_db* db) {
  EXPECT_EQ(must_exec(db, R"({"op":"indexes","collection":"u"})"),
            R"({"indexes":[{"field":"email","unique":true},{"field":"n","unique":false}],"status":"ok"})");
  EXPECT_EQ(exec(db, R"({"op":"set","collection":"u","data":{"x":{"email":"A@X.IO","n":9}}})").status, KILN_CONFLICT);
  Outcome bad = exec(db, R"({"op":"set","collection":"u","data":{"y":{"email":"y@x.io","n":"nine"}}})");
  EXPECT_EQ(bad.status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(bad.text.rfind("Schema Validation Error: $.n: ", 0), 0u) << bad.text;
  std::string hit = must_exec(db, R"({"op":"get","collection":"u","where":{"n":{"$gte":2}},"fields":["n"]})");
  EXPECT_EQ(hit, R"([{"_key":"b","_v":1,"n":2},{"_key":"c","_v":1,"n":3}])");
}

TEST(QueryDurability, DefinitionsReplayFromTheLogAndFromSnapshots) {
  TempDir dir;
  kiln_db* db = must_open(dir.db(), R"({"mode":"sync"})");
  must_exec(db, R"({"op":"set","collection":"u","data":{"a":{"email":"a@x.io","n":1},"b":{"email":"b@x.io","n":2}}})");
  must_exec(db, R"({"op":"index","collection":"u","field":"email","unique":true})");
  must_exec(db, R"({"op":"index","collection":"u","field":"n"})");
  must_exec(db, R"({"op":"index","collection":"u","field":"gone"})");
  must_exec(db, R"({"op":"drop_index","collection":"u","field":"gone"})");
  must_exec(db, R"({"op":"schema","collection":"u","schema":{"type":"object","properties":{"n":{"type":"integer"},"email":{"type":"string"}},"additionalProperties":false,"required":["n"]}})");
  must_exec(db, R"({"op":"set","collection":"u","data":{"c":{"email":"c@x.io","n":3}}})");
  expect_definitions_work(db);
  kiln_close(db);

  db = must_open(dir.db(), R"({"mode":"sync"})");  // from the log
  expect_definitions_work(db);
  must_exec(db, R"({"op":"snapshot"})");
  kiln_close(db);

  db = must_open(dir.db(), R"({"mode":"sync"})");  // from the snapshot
  expect_definitions_work(db);
  must_exec(db, R"({"op":"schema","collection":"u","schema":null})");
  kiln_close(db);

  db = must_open(dir.db(), R"({"mode":"sync"})");
  must_exec(db, R"({"op":"set","collection":"u","data":{"y":{"email":"y@x.io","n":"nine"}}})");  // schema removed
  kiln_close(db);
}

}  // namespace
}  // namespace kiln::durability_testing
