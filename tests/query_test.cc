// The query language of QUERY.md ("get — query", "where", "Paths",
// "Projection", "sort, count, offset", "joins") and delete by where,
// through the C API.
#include <gtest/gtest.h>

#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "util/parallel.h"
#include "support/test_db.h"

namespace kiln::testing {
namespace {

class Query : public ::testing::Test {
 protected:
  void SetUp() override {
    db.ok(R"({"op":"set","collection":"p","data":{
      "a":{"name":"Alice","age":30,"city":"Paris","score":1.5,"tags":["x","y"],"addr":{"zip":"75001","n":1}},
      "b":{"name":"bob","age":25,"city":"paris","score":2,"tags":["y"],"addr":{"zip":"10115"}},
      "c":{"name":"Carol","age":35.0,"city":"Berlin","tags":[],"nil":null},
      "d":{"name":"ÉMILE","age":"40","city":"Lyon","score":-1},
      "e":{"other":1}}})");
    db.ok(R"({"op":"set","collection":"raw","data":{"n":5}})");
  }
  // Keys of a get with this where (other members may follow in `extra`).
  std::string where(const std::string& w, const std::string& extra = "") {
    Result r = db.run(R"({"op":"get","collection":"p","where":)" + w + extra + "}");
    if (r.status == KILN_NOT_FOUND) return "<none>";
    if (!r.ok()) return "<error " + std::to_string(r.status) + ": " + r.body + ">";
    return keys_of(r.body);
  }
  std::string get(const std::string& body) { return mask_times(db.ok(R"({"op":"get","collection":"p",)" + body + "}")); }
  Result run(const std::string& body) { return db.run(R"({"op":"get","collection":"p",)" + body + "}"); }
  TestDb db;
};

TEST_F(Query, ImplicitEqualityIsCaseInsensitiveForStringsOnly) {
  EXPECT_EQ(where(R"({"city":"PARIS"})"), "a,b");
  EXPECT_EQ(where(R"({"name":"émile"})"), "d");  // Unicode lowercase
  EXPECT_EQ(where(R"({"age":30})"), "a");
  EXPECT_EQ(where(R"({"age":35})"), "<none>");  // 35 != 35.0 (type-strict)
  EXPECT_EQ(where(R"({"age":35.0})"), "c");
  EXPECT_EQ(where(R"({"age":"40"})"), "d");     // no number/string coercion
  EXPECT_EQ(where(R"({"age":40})"), "<none>");
  EXPECT_EQ(where(R"({"tags":["x","y"]})"), "a");  // arrays equal whole
  EXPECT_EQ(where(R"({"tags":["X","y"]})"), "<none>");
  EXPECT_EQ(where(R"({"nil":null})"), "c");      // present null only
  EXPECT_EQ(where(R"({"missing":null})"), "<none>");
  EXPECT_EQ(where(R"({"addr.zip":"75001"})"), "a");
  EXPECT_EQ(where(R"({"city":"Paris","age":25})"), "b");
}

// Equality settles most strings by length before folding: texts whose
// lowercase form is shorter or longer than they are must still compare by it.
TEST_F(Query, StringEqualityFoldsTextsThatChangeLength) {
  // U+212A KELVIN SIGN (3 bytes) lowercases to ASCII "k"; U+0130 (2 bytes)
  // to "i" + U+0307 (3 bytes).
  db.ok(R"({"op":"set","collection":"u","data":{
    "k1":{"t":"\u212Aelvin"},"k2":{"t":"kelvin"},"k3":{"t":"kelvins"},"k4":{"t":"kelvi"},
    "i1":{"t":"\u0130stanbul"},"i2":{"t":"istanbul"}}})");
  auto keys = [&](const std::string& w) { return keys_of(db.ok(R"({"op":"get","collection":"u","where":)" + w + "}")); };
  EXPECT_EQ(keys(R"({"t":"KELVIN"})"), "k1,k2");
  EXPECT_EQ(keys(R"({"t":{"$eq":"kelvin"}})"), "k1,k2");
  EXPECT_EQ(keys(R"({"t":{"$in":["kelvin"]}})"), "k1,k2");
  EXPECT_EQ(keys(R"({"t":"i\u0307stanbul"})"), "i1");
  EXPECT_EQ(keys(R"({"t":"ISTANBUL"})"), "i2");
}

TEST_F(Query, EqualityOperatorsAndMissingFields) {
  for (std::string op : {"$eq", "$equals"}) {
    EXPECT_EQ(where(R"({"city":{")" + op + R"(":"paris"}})"), "a,b");
    EXPECT_EQ(where(R"({"nil":{")" + op + R"(":null}})"), "a,b,c,d,e") << "missing counts as null";
  }
  for (std::string op : {"$ne", "$notEquals"}) {
    EXPECT_EQ(where(R"({"city":{")" + op + R"(":"paris"}})"), "c,d,e");
    EXPECT_EQ(where(R"({"score":{")" + op + R"(":2}})"), "a,c,d,e") << "missing matches $ne";
    EXPECT_EQ(where(R"({"nil":{")" + op + R"(":null}})"), "<none>");
  }
}

TEST_F(Query, RangesAreNumericOnly) {
  EXPECT_EQ(where(R"({"age":{"$gt":30}})"), "c");
  EXPECT_EQ(where(R"({"age":{"$greaterThan":30}})"), "c");
  EXPECT_EQ(where(R"({"age":{"$gte":30}})"), "a,c");
  EXPECT_EQ(where(R"({"age":{"$greaterThanOrEqual":35}})"), "c");  // 35.0 >= 35
  EXPECT_EQ(where(R"({"age":{"$lt":30}})"), "b");
  EXPECT_EQ(where(R"({"age":{"$lessThan":30.5}})"), "a,b");
  EXPECT_EQ(where(R"({"age":{"$lte":30}})"), "a,b");
  EXPECT_EQ(where(R"({"age":{"$lessThanOrEqual":25}})"), "b");
  EXPECT_EQ(where(R"({"age":{"$gt":"1"}})"), "<none>");  // operand not a number
  EXPECT_EQ(where(R"({"score":{"$lt":100}})"), "a,b,d");  // missing never matches
  EXPECT_EQ(where(R"({"age":{"$gt":20,"$lt":33}})"), "a,b");
}

TEST_F(Query, Contains) {
  EXPECT_EQ(where(R"({"name":{"$contains":"LI"}})"), "a");
  EXPECT_EQ(where(R"({"name":{"$contains":"il"}})"), "d");  // ÉMILE
  EXPECT_EQ(where(R"({"name":{"$ct":"aro"}})"), "c");
  EXPECT_EQ(where(R"({"tags":{"$contains":"y"}})"), "a,b");
  EXPECT_EQ(where(R"({"tags":{"$contains":"Y"}})"), "<none>");  // array elements: exact
  EXPECT_EQ(where(R"({"age":{"$contains":"3"}})"), "<none>");
  EXPECT_EQ(where(R"({"name":{"$contains":3}})"), "<none>");
  EXPECT_EQ(where(R"({"missing":{"$contains":"a"}})"), "<none>");
}

TEST_F(Query, InAndNotIn) {
  EXPECT_EQ(where(R"({"city":{"$in":["LYON","berlin"]}})"), "c,d");
  EXPECT_EQ(where(R"({"city":{"$oneOf":["lyon"]}})"), "d");
  EXPECT_EQ(where(R"({"score":{"$in":[null,2]}})"), "b,c,e") << "missing counts as null";
  EXPECT_EQ(where(R"({"city":{"$nin":["paris"]}})"), "c,d,e");
  EXPECT_EQ(where(R"({"score":{"$notIn":[1.5,2,-1]}})"), "c,e");
  EXPECT_EQ(where(R"({"city":{"$in":[]}})"), "<none>");
}

TEST_F(Query, OrAndNesting) {
  EXPECT_EQ(where(R"({"$or":[{"city":"lyon"},{"age":25}]})"), "b,d");
  EXPECT_EQ(where(R"({"$or":[]})"), "<none>");
  EXPECT_EQ(where(R"({"$and":[]})"), "a,b,c,d,e");
  EXPECT_EQ(where(R"({})"), "a,b,c,d,e");
  EXPECT_EQ(where(R"({"$and":[{"city":"paris"},{"$or":[{"age":30},{"age":35.0}]}]})"), "a");
  EXPECT_EQ(where(R"({"$or":[5]})"), "a,b,c,d,e");  // a non-object element counts as true
  EXPECT_EQ(where(R"(7)"), "a,b,c,d,e");             // a non-object where matches everything
  EXPECT_EQ(where(R"({"city":{}})"), "a,b,c,d,e");   // {} matches even missing fields
  EXPECT_EQ(where(R"({"$nor":1})"), "<none>");       // other $keys are field names (rc2)
}

TEST_F(Query, Extensions) {
  EXPECT_EQ(where(R"({"score":{"$exists":true}})"), "a,b,d");
  EXPECT_EQ(where(R"({"nil":{"$exists":true}})"), "c");  // null is present
  EXPECT_EQ(where(R"({"score":{"$exists":false}})"), "c,e");
  EXPECT_EQ(where(R"({"name":{"$regex":"^[ab]"}})"), "b");
  EXPECT_EQ(where(R"({"name":{"$regex":"^[ab]","$options":"i"}})"), "a,b");
  EXPECT_EQ(where(R"({"age":{"$regex":"4"}})"), "d");
  EXPECT_EQ(where(R"({"age":{"$not":{"$gt":28}}})"), "b,d,e");
  EXPECT_EQ(where(R"({"city":{"$not":{"$in":["paris","lyon"]}}})"), "c,e");
}

TEST_F(Query, MalformedQueriesAreInvalidArgument) {
  EXPECT_EQ(where(R"({"age":{"$foo":1}})"), "<error 10: Invalid Query: Unknown operator: $foo>");
  EXPECT_EQ(where(R"({"age":{"$in":5}})"), "<error 10: Invalid Query: $in expects an array>");
  EXPECT_EQ(where(R"({"age":{"$notIn":"x"}})"), "<error 10: Invalid Query: $notIn expects an array>");
  EXPECT_EQ(where(R"({"$or":{}})"), "<error 10: Invalid Query: $or expects an array>");
  EXPECT_EQ(where(R"({"$and":1})"), "<error 10: Invalid Query: $and expects an array>");
  EXPECT_EQ(where(R"({"$or":[{"a":{"b":1}}]})"), "<error 10: Invalid Query: Unknown operator: b>");
  EXPECT_EQ(where(R"({"a":{"$exists":1}})"), "<error 10: Invalid Query: $exists expects a boolean>");
  EXPECT_EQ(where(R"({"a":{"$not":1}})"), "<error 10: Invalid Query: $not expects an object>");
  EXPECT_EQ(where(R"({"a":{"$regex":"("}})").substr(0, 33), "<error 10: Invalid Query: Invalid");
  // Sorted-key order decides which error is reported first.
  EXPECT_EQ(where(R"({"b":{"$zz":1},"a":{"$in":1}})"), "<error 10: Invalid Query: $in expects an array>");
  // Even where nothing would be scanned.
  Result r = db.run(R"({"op":"get","collection":"nope","where":{"a":{"$bad":1}}})");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  r = db.run(R"({"op":"get","collection":"p","where":{"a..b":1}})");
  EXPECT_EQ(r.body, "Invalid field name: 'a..b'. Must be alphanumeric with _, -, . only (1-128 chars)");
}

TEST_F(Query, EmptyResultsAreNotFound) {
  Result r = run(R"("where":{"city":"Rome"})");
  EXPECT_EQ(r.status, KILN_NOT_FOUND);
  EXPECT_EQ(r.body, "No documents found");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"none"})").status, KILN_NOT_FOUND);
  EXPECT_EQ(run(R"("keys":[])").status, KILN_NOT_FOUND);
  EXPECT_EQ(run(R"("keys":"zz")").status, KILN_NOT_FOUND);
  EXPECT_EQ(run(R"("count":0)").status, KILN_NOT_FOUND);
  EXPECT_EQ(run(R"("count":0,"sort":["age"])").status, KILN_NOT_FOUND);
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"p","offset":5})"), "[]");  // past the end of a non-empty result
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"p","offset":9,"count":2,"sort":["age"]})"), "[]");
}

TEST_F(Query, SortOrdersMixedTypesMissingAndTies) {
  // strings < numbers < arrays < false < null < true < objects < missing.
  db.ok(R"({"op":"set","collection":"m","data":{"k1":{"v":2},"k2":{"v":"b"},"k3":{"v":null},"k4":{"v":true},
    "k5":{"v":[1]},"k6":{"v":{"a":1}},"k7":{"v":false},"k8":{},"k9":{"v":1.5},"k10":{"v":"B"},"k11":{"v":2}}})");
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"m","sort":["v"]})")), "k10,k2,k9,k1,k11,k5,k7,k3,k4,k6,k8");
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"m","sort":[{"field":"v","order":"DESC"}]})")),
            "k8,k6,k4,k3,k7,k5,k1,k11,k9,k2,k10");  // ties stay in ascending _key order
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"m","sort":[{"field":"v","order":"desc"}],"count":3,"offset":1})")),
            "k6,k4,k3");
}

TEST_F(Query, MultiKeySortCountOffset) {
  EXPECT_EQ(keys_of(get(R"("sort":[{"field":"city","order":"asc"},{"field":"age","order":"desc"}])")), "c,d,a,b,e");
  EXPECT_EQ(keys_of(get(R"("sort":["score"])")), "d,a,b,c,e");
  EXPECT_EQ(keys_of(get(R"("sort":[{"field":"score","order":"desc"}],"count":2)")), "c,e");
  EXPECT_EQ(keys_of(get(R"("count":2)")), "a,b");
  EXPECT_EQ(keys_of(get(R"("count":2,"offset":2)")), "c,d");
  EXPECT_EQ(keys_of(get(R"("count":-1,"offset":"x")")), "a,b,c,d,e");  // ignored
  EXPECT_EQ(keys_of(get(R"("count":2.0)")), "a,b,c,d,e");
  EXPECT_EQ(keys_of(get(R"("count":18446744073709551615,"offset":3)")), "d,e");  // no overflow
  EXPECT_EQ(keys_of(get(R"("count":9223372036854775807,"sort":["age"])")), "d,b,a,c,e");
  EXPECT_EQ(keys_of(get(R"("sort":[5,{"order":"desc"},""],"count":1)")), "a");  // bad specs skipped
}

TEST_F(Query, FieldsProjection) {
  EXPECT_EQ(get(R"("keys":["a"],"fields":["name","addr.zip","missing","x.y"])"),
            R"([{"_key":"a","_v":1,"addr":{"zip":"75001"},"name":"Alice"}])");
  EXPECT_EQ(get(R"("keys":["a"],"fields":["addr.zip","addr"])"),
            R"([{"_key":"a","_v":1,"addr":{"n":1,"zip":"75001"}}])");
  EXPECT_EQ(get(R"("keys":["a"],"fields":["createdAt"])"), R"([{"_key":"a","_v":1,"createdAt":"T"}])");
  EXPECT_EQ(get(R"("keys":["a"],"fields":[])"), R"([{"_key":"a","_v":1}])");
  EXPECT_EQ(get(R"("keys":["a"],"fields":["name.first"])"), R"([{"_key":"a","_v":1}])");
  EXPECT_EQ(get(R"("keys":"a","fields":["name"])"), R"({"_v":1,"name":"Alice"})");  // single: no _key
  // A stored non-object: bare, except under `fields`.
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"raw","keys":["n"],"fields":["x"]})"), R"([{"_key":"n"}])");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"raw","keys":"n","fields":["x"]})"), R"({})");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"raw"})"), "[5]");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"raw","keys":"n"})"), "5");
}

TEST_F(Query, ExcludedFieldsProjection) {
  EXPECT_EQ(get(R"("keys":["a"],"excludedFields":["addr.zip","addr.n","tags","_v","createdAt","modifiedAt","score"])"),
            R"([{"_key":"a","_v":1,"age":30,"city":"Paris","name":"Alice"}])");  // emptied parent removed; _v stays
  EXPECT_EQ(get(R"("keys":["b"],"excludedFields":["addr.zip"],"fields":5)"),
            R"([{"_key":"b","_v":1,"age":25,"city":"paris","createdAt":"T","modifiedAt":"T","name":"bob","score":2,"tags":["y"]}])");
  EXPECT_EQ(db.ok(R"({"op":"get","collection":"raw","excludedFields":["x"]})"), "[5]");
  Result r = run(R"("fields":["a"],"excludedFields":["b"])");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(r.body, "'fields' and 'excludedFields' cannot be used together");
}

TEST_F(Query, KeysFetchThenWhereSortAndPaging) {
  EXPECT_EQ(keys_of(get(R"("keys":["d","a","zz","a"])")), "d,a");  // request order, duplicates once
  EXPECT_EQ(keys_of(get(R"("keys":["d","a","b"],"sort":["age"])")), "d,b,a");  // "40" is a string: first
  EXPECT_EQ(keys_of(get(R"("keys":["d","a","b"],"where":{"city":"paris"})")), "a,b");
  EXPECT_EQ(keys_of(get(R"("keys":["d","a","b"],"count":1,"offset":1)")), "a");
  EXPECT_EQ(run(R"("keys":"a","where":{"city":"Lyon"})").status, KILN_NOT_FOUND);
  EXPECT_EQ(get(R"("keys":"a","where":{"city":"paris"},"fields":["age"],"count":0)"), R"({"_v":1,"age":30})");
  EXPECT_EQ(keys_of(get(R"("keys":5,"count":1)")), "a");  // non-string/array keys are ignored
}

TEST_F(Query, UnknownPropertyIsRejected) {
  Result r = run(R"("limit":1,"foo":2)");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(r.body, "Unknown property: 'foo'. Check the API docs for supported properties");
}

class Joins : public ::testing::Test {
 protected:
  void SetUp() override {
    db.ok(R"({"op":"set","collection":"ram","data":{"r1":{"gb":16,"kind":"DDR5"},"r2":{"gb":8,"kind":"DDR4"}}})");
    db.ok(R"({"op":"set","collection":"laptops","data":{
      "l1":{"brand":"Apple","ram":"r1","spec":{"ram":"r2"}},
      "l2":{"brand":"Dell","ram":"r2","mem":"old"},
      "l3":{"brand":"HP","ram":"nope","mem":"kept"},
      "l4":{"brand":"Acer","ram":7}}})");
  }
  TestDb db;
};

TEST_F(Joins, EmbedProjectFilterAndSortOnAliases) {
  std::string body = mask_times(db.ok(
      R"({"op":"get","collection":"laptops","keys":["l1"],"joins":[{"mem":{"from":"ram","on":"ram","fields":["gb"]}}]})"));
  EXPECT_EQ(body, R"([{"_key":"l1","_v":1,"brand":"Apple","createdAt":"T","mem":{"gb":16},"modifiedAt":"T","ram":"r1","spec":{"ram":"r2"}}])");
  // Unresolvable: alias absent, an existing same-named field kept.
  body = mask_times(db.ok(
      R"({"op":"get","collection":"laptops","keys":["l3","l4"],"fields":["mem"],"joins":[{"mem":{"from":"ram","on":"ram"}}]})"));
  EXPECT_EQ(body, R"([{"_key":"l3","_v":1,"mem":"kept"},{"_key":"l4","_v":1}])");
  // Aliases come back whole after `fields`; a nested `on` path works.
  body = mask_times(db.ok(
      R"({"op":"get","collection":"laptops","keys":"l1","fields":["brand","x.gb"],"joins":[{"x":{"from":"ram","on":"spec.ram"}}]})"));
  EXPECT_EQ(body, R"({"_v":1,"brand":"Apple","x":{"_v":1,"createdAt":"T","gb":8,"kind":"DDR4","modifiedAt":"T"}})");
  // where and sort on alias paths see the joined documents.
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"laptops","where":{"mem.kind":"ddr4"},"joins":[{"mem":{"from":"ram","on":"ram"}}]})")),
            "l2");
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"laptops","sort":[{"field":"mem.gb","order":"desc"}],"joins":[{"mem":{"from":"ram","on":"ram"}}]})")),
            "l3,l4,l1,l2");  // l3 keeps mem:"kept" (a string sorts first), l4 has none (missing first in desc)
  // Malformed join entries are skipped.
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"laptops","count":1,"joins":[5,{"a":1},{"b":{"on":"x"}}]})")), "l1");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"laptops","where":{"x":{"$bad":1}},"joins":[{"m":{"from":"ram","on":"ram"}}]})").status,
            KILN_INVALID_ARGUMENT);
}

// Scans split their input into pieces claimed by whichever thread is free:
// every piece must run once, and the pieces must tile the input in order
// (results are joined piece by piece).
TEST(ParallelRanges, PiecesTileTheInputInOrder) {
  constexpr size_t kUnset = std::numeric_limits<size_t>::max();
  for (size_t n : {0, 1, 7, 16, 1000, 1001}) {
    for (size_t threads : {1, 2, 3}) {
      for (size_t pieces : {1, 2, 16, 2000}) {
        std::vector<std::pair<size_t, size_t>> got(pieces, {kUnset, kUnset});
        std::vector<int> calls(pieces, 0);
        parallel_ranges(n, threads, pieces, [&](size_t begin, size_t end, size_t piece) {
          got[piece] = {begin, end};
          ++calls[piece];
        });
        size_t at = 0;
        for (size_t p = 0; p < pieces; ++p) {
          ASSERT_EQ(calls[p], 1) << n << " " << threads << " " << pieces << " piece " << p;
          ASSERT_EQ(got[p].first, at) << n << " " << threads << " " << pieces << " piece " << p;
          ASSERT_LE(got[p].first, got[p].second);
          at = got[p].second;
        }
        EXPECT_EQ(at, n);
      }
    }
  }
}

TEST(DeleteWhere, DeletesMatchingDocumentsAtomically) {
  TestDb db;
  db.ok(R"({"op":"set","collection":"t","data":{"a":{"n":1},"b":{"n":2},"c":{"n":3},"d":{"m":1}}})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"t","where":{"n":{"$gte":2}}})"), R"({"deleted":2,"status":"ok"})");
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"t"})")), "a,d");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"t","keys":["a","d"],"where":{"n":1}})"), R"({"deleted":1,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"delete","collection":"t","where":{"n":9}})"), R"({"deleted":0,"status":"ok"})");
  EXPECT_EQ(db.run(R"({"op":"delete","collection":"t","where":{"n":{"$x":1}}})").body, "Invalid Query: Unknown operator: $x");
  EXPECT_EQ(db.run(R"({"op":"delete","collection":"t","where":5})").status, KILN_INVALID_ARGUMENT);
  // Inside a batch, where sees the batch's earlier writes.
  db.ok(R"({"op":"batch","ops":[{"op":"set","collection":"t","data":{"x":{"n":5}}},{"op":"delete","collection":"t","where":{"n":5}}]})");
  EXPECT_EQ(keys_of(db.ok(R"({"op":"get","collection":"t"})")), "d");
}

}  // namespace
}  // namespace kiln::testing
