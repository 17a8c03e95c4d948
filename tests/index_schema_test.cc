// Secondary indexes (index / drop_index / indexes, unique, planner use),
// JSON Schema per collection, and aggregate, through the C API; plus the
// definitions a snapshot would store (Store::definitions).
#include <gtest/gtest.h>

#include <string>

#include "doc/encoder.h"
#include "query/executor.h"
#include "store/store.h"
#include "support/test_db.h"
#include "write/write_batch.h"

namespace kiln::testing {
namespace {

TEST(Indexes, DefineListDrop) {
  TestDb db;
  EXPECT_EQ(db.ok(R"({"op":"indexes","collection":"u"})"), R"({"indexes":[],"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"index","collection":"u","field":"email","unique":true})"),
            R"({"field":"email","status":"ok","unique":true})");
  db.ok(R"({"op":"index","collection":"u","field":"address.city"})");
  db.ok(R"({"op":"index","collection":"u","field":"email","unique":true})");  // same again: fine
  EXPECT_EQ(db.ok(R"({"op":"indexes","collection":"u"})"),
            R"({"indexes":[{"field":"address.city","unique":false},{"field":"email","unique":true}],"status":"ok"})");
  EXPECT_EQ(db.run(R"({"op":"index","collection":"u","field":"email"})").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(db.run(R"({"op":"index","collection":"u"})").body, "Missing 'field' (a field path)");
  EXPECT_EQ(db.run(R"({"op":"index","collection":"u","field":"a..b"})").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(db.run(R"({"op":"index","collection":"u","field":"a","unique":1})").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(db.ok(R"({"op":"drop_index","collection":"u","field":"email"})"), R"({"dropped":true,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"drop_index","collection":"u","field":"email"})"), R"({"dropped":false,"status":"ok"})");
  EXPECT_EQ(db.ok(R"({"op":"indexes","collection":"u"})"),
            R"({"indexes":[{"field":"address.city","unique":false}],"status":"ok"})");
}

TEST(Indexes, UniqueViolationsFailTheWholeRequest) {
  TestDb db;
  db.ok(R"({"op":"index","collection":"u","field":"email","unique":true})");
  db.ok(R"({"op":"set","collection":"u","data":{"a":{"email":"A@x.io"},"b":{"email":null},"c":{}}})");
  db.ok(R"({"op":"set","collection":"u","data":{"d":{"email":null},"e":{}}})");  // null / missing: unconstrained
  Result r = db.run(R"({"op":"set","collection":"u","data":{"f":{"email":"new@x.io"},"g":{"email":"a@X.io"}}})");
  EXPECT_EQ(r.status, KILN_CONFLICT);
  EXPECT_EQ(r.body, R"(Conflict: Duplicate value "a@X.io" for unique index 'email' (already used by 'a'))");
  EXPECT_EQ(db.run(R"({"op":"get","collection":"u","keys":"f"})").status, KILN_NOT_FOUND);  // nothing applied
  // Within one request.
  r = db.run(R"({"op":"set","collection":"u","data":{"f":{"email":"z@x.io"},"g":{"email":"Z@x.io"}}})");
  EXPECT_EQ(r.status, KILN_CONFLICT);
  // Replacing a document's own value, moving a value after freeing it.
  db.ok(R"({"op":"update","collection":"u","data":{"a":{"email":"a@x.io","n":1}}})");
  db.ok(R"({"op":"batch","ops":[{"op":"update","collection":"u","data":{"a":{"email":"other@x.io"}}},
                                {"op":"set","collection":"u","data":{"h":{"email":"A@x.io"}}}]})");
  db.ok(R"({"op":"batch","ops":[{"op":"delete","collection":"u","keys":"h"},
                                {"op":"set","collection":"u","data":{"i":{"email":"A@x.io"}}}]})");
  EXPECT_EQ(db.run(R"({"op":"update","collection":"u","data":{"b":{"email":"a@x.io"}}})").status, KILN_CONFLICT);
  // A unique index cannot be created over duplicates; 1 and 1.0 differ.
  db.ok(R"({"op":"set","collection":"v","data":{"a":{"n":1},"b":{"n":1.0},"c":{"s":"Q"},"d":{"s":"q"}}})");
  db.ok(R"({"op":"index","collection":"v","field":"n","unique":true})");
  r = db.run(R"({"op":"index","collection":"v","field":"s","unique":true})");
  EXPECT_EQ(r.status, KILN_CONFLICT);
  EXPECT_EQ(r.body, R"(Conflict: Duplicate value "q" for unique index 's' (keys 'c' and 'd'))");
}

TEST(Indexes, MaintainedOnEveryWriteAndUsedByQueries) {
  TestDb plain, indexed;
  for (const TestDb* db : {&plain, &indexed}) {
    db->ok(R"({"op":"set","collection":"t","data":{"a":{"c":"X","n":1},"b":{"c":"x","n":2.5},"c":{"c":"Y","n":3},"d":{"n":"3"}}})");
  }
  indexed.ok(R"({"op":"index","collection":"t","field":"c"})");
  indexed.ok(R"({"op":"index","collection":"t","field":"n"})");
  auto both = [&](const std::string& request) {
    Result a = plain.run(request), b = indexed.run(request);
    EXPECT_EQ(a.status, b.status) << request;
    EXPECT_EQ(mask_times(a.body), mask_times(b.body)) << request;
  };
  for (const TestDb* db : {&plain, &indexed}) {
    db->ok(R"({"op":"update","collection":"t","data":{"a":{"c":"Y"}}})");
    db->ok(R"({"op":"delete","collection":"t","keys":"c"})");
    db->ok(R"({"op":"set","collection":"t","data":{"e":{"c":"x","n":-1},"f":{"c":["x"]},"g":5}})");
  }
  for (std::string w : {R"({"c":"x"})", R"({"c":"Y"})", R"({"c":{"$eq":"X"}})", R"({"c":{"$in":["x","y",1]}})",
                        R"({"n":{"$gt":0}})", R"({"n":{"$gte":-1,"$lt":2.5}})", R"({"n":{"$lte":2.5},"c":"x"})",
                        R"({"n":3})", R"({"c":{"$eq":null}})", R"({"c":["x"]})"}) {
    both(R"({"op":"get","collection":"t","where":)" + w + "}");
    both(R"({"op":"get","collection":"t","where":)" + w + R"(,"sort":[{"field":"n","order":"desc"}],"count":2})");
  }
  both(R"({"op":"get","collection":"t","sort":["n"],"count":3,"offset":1})");
  both(R"({"op":"get","collection":"t","sort":[{"field":"c","order":"desc"},"n"],"count":10})");
  both(R"({"op":"delete","collection":"t","where":{"c":"x"}})");
  both(R"({"op":"get","collection":"t"})");
  // Drop keeps the definitions.
  indexed.ok(R"({"op":"delete","collection":"t","drop":true})");
  EXPECT_EQ(indexed.ok(R"({"op":"indexes","collection":"t"})"),
            R"({"indexes":[{"field":"c","unique":false},{"field":"n","unique":false}],"status":"ok"})");
  indexed.ok(R"({"op":"set","collection":"t","data":{"z":{"c":"q"}}})");
  EXPECT_EQ(mask_times(indexed.ok(R"({"op":"get","collection":"t","where":{"c":"Q"}})")),
            R"([{"_key":"z","_v":1,"c":"q","createdAt":"T","modifiedAt":"T"}])");
}

TEST(Schema, ValidatesEveryWriteAtomically) {
  TestDb db;
  EXPECT_EQ(db.ok(R"({"op":"schema","collection":"s","schema":{"type":"object","required":["age"],
      "properties":{"age":{"type":"integer","minimum":0},"address":{"type":"object","properties":{"zip":{"type":"string"}}}},
      "additionalProperties":false}})"),
            R"({"collection":"s","status":"ok"})");
  db.ok(R"({"op":"set","collection":"s","data":{"ok":{"age":3}}})");  // metadata passes additionalProperties:false
  Result r = db.run(R"({"op":"set","collection":"s","data":{"a":{"age":1},"b":{"age":"three"}}})");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(r.body.rfind("Schema Validation Error: $.age: ", 0), 0u) << r.body;
  EXPECT_EQ(db.run(R"({"op":"get","collection":"s","keys":"a"})").status, KILN_NOT_FOUND);  // atomic
  r = db.run(R"({"op":"set","collection":"s","data":{"c":{"age":1,"address":{"zip":5}}}})");
  EXPECT_EQ(r.body.rfind("Schema Validation Error: $.address.zip: ", 0), 0u) << r.body;
  r = db.run(R"({"op":"set","collection":"s","data":{"c":{"age":1,"extra":true}}})");
  EXPECT_NE(r.body.find("Schema Validation Error"), std::string::npos) << r.body;
  r = db.run(R"({"op":"set","collection":"s","data":{"c":{}}})");
  EXPECT_NE(r.body.find("age"), std::string::npos) << r.body;
  r = db.run(R"({"op":"update","collection":"s","data":{"ok":{"age":-1}}})");
  EXPECT_EQ(r.body.rfind("Schema Validation Error: $.age: ", 0), 0u) << r.body;
  r = db.run(R"({"op":"update","collection":"s","data":{"ok":{"$unset":["age"]}}})");
  EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  db.ok(R"({"op":"update","collection":"s","data":{"ok":{"age":4}}})");
  // Invalid schemas and requests.
  r = db.run(R"({"op":"schema","collection":"s","schema":{"type":"no-such-type"}})");
  EXPECT_EQ(r.body.rfind("Invalid Schema: Invalid schema: ", 0), 0u) << r.body;
  EXPECT_EQ(db.run(R"({"op":"schema","schema":{}})").body, "Missing 'collection' name");
  EXPECT_EQ(db.run(R"({"op":"schema","collection":"s"})").body, "Missing 'schema' JSON");
  // Removing the schema.
  db.ok(R"({"op":"schema","collection":"s","schema":null})");
  db.ok(R"({"op":"set","collection":"s","data":{"free":{"anything":[1]}}})");
}

TEST(Aggregate, MetricsWithAndWithoutGroups) {
  TestDb db;
  db.ok(R"({"op":"set","collection":"o","data":{
    "a":{"team":"red","pts":3,"w":1.5},"b":{"team":"red","pts":5,"w":"x"},"c":{"team":"blue","pts":1},
    "d":{"pts":2.5},"e":{"team":"blue","pts":"7"}}})");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"o","metrics":{"n":{"$count":"_key"},"total":{"$sum":"pts"},
      "avg":{"$avg":"pts"},"lo":{"$min":"pts"},"hi":{"$max":"pts"},"wn":{"$count":"w"},"ws":{"$sum":"w"}}})"),
            R"({"avg":2.875,"hi":5,"lo":1,"n":5,"total":11.5,"wn":2,"ws":1.5})");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"o","groupBy":"team","metrics":{"n":{"$count":"*"},"total":{"$sum":"pts"}}})"),
            R"([{"_group":"blue","n":2,"total":1},{"_group":"red","n":2,"total":8},{"_group":null,"n":1,"total":2.5}])");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"o","where":{"team":"RED"},"metrics":{"best":{"$max":"pts"}}})"),
            R"({"best":5})");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"none","metrics":{"n":{"$count":"*"},"s":{"$sum":"x"},"a":{"$avg":"x"}}})"),
            R"({"a":null,"n":0,"s":0})");
  EXPECT_EQ(db.ok(R"({"op":"aggregate","collection":"o","groupBy":"team","where":{"pts":99},"metrics":{}})"), "[]");
  EXPECT_EQ(db.run(R"({"op":"aggregate","collection":"o"})").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(db.run(R"({"op":"aggregate","collection":"o","metrics":{"x":{"$median":"pts"}}})").body,
            R"(Invalid metric 'x': expected {"$count"|"$sum"|"$avg"|"$min"|"$max": path})");
  EXPECT_EQ(db.run(R"({"op":"aggregate","collection":"o","metrics":{},"where":{"a":{"$q":1}}})").body,
            "Invalid Query: Unknown operator: $q");
}

TEST(Definitions, RecreateIndexesAndSchemasFromMutations) {
  Store store;
  WriteBatch batch;
  batch.mutations.push_back({Mutation::Kind::kCreateIndex, "c", {}, {}, R"({"field":"a.b","unique":true})", {}});
  batch.mutations.push_back({Mutation::Kind::kSetSchema, "c", {}, {}, R"({"type":"object"})", {}});
  batch.mutations.push_back({Mutation::Kind::kCreateIndex, "d", {}, {}, R"({"field":"x","unique":false})", {}});
  batch.mutations.push_back({Mutation::Kind::kDropIndex, "d", {}, {}, R"({"field":"x"})", {}});
  apply(batch, store);
  std::vector<Mutation> defs = store.definitions();
  ASSERT_EQ(defs.size(), 2u);
  EXPECT_EQ(defs[0].kind, Mutation::Kind::kCreateIndex);
  EXPECT_EQ(defs[0].payload, R"({"field":"a.b","unique":true})");
  EXPECT_EQ(defs[1].kind, Mutation::Kind::kSetSchema);
  EXPECT_EQ(defs[1].payload, R"({"type":"object"})");
  Store copy;
  apply(WriteBatch{defs, 0}, copy);
  EXPECT_EQ(copy.definitions().size(), 2u);
  ASSERT_NE(copy.find("c"), nullptr);
  EXPECT_TRUE(copy.find("c")->index("a.b")->def().unique);
}

TEST(Planner, UsesIndexesWhereTheyApply) {
  Store store;
  WriteBatch batch;
  simdjson::dom::parser parser;
  for (int i = 0; i < 200; ++i) {
    std::string json = R"({"city":")" + std::string(i % 2 ? "A" : "B") + R"(","age":)" + std::to_string(i % 50) + "}";
    batch.mutations.push_back({Mutation::Kind::kPut, "c", {}, DocRef::make("k" + std::to_string(i), doc::encode(parser.parse(json).value())), {}, {}});
  }
  batch.mutations.push_back({Mutation::Kind::kCreateIndex, "c", {}, {}, R"({"field":"city","unique":false})", {}});
  batch.mutations.push_back({Mutation::Kind::kCreateIndex, "c", {}, {}, R"({"field":"age","unique":false})", {}});
  apply(batch, store);
  auto path_for = [&](const std::string& where, const std::string& sort, std::optional<uint64_t> count) {
    simdjson::dom::parser p;
    query::Query q;
    q.where = query::Where::parse(p.parse(where).value());
    if (!sort.empty()) q.sort = query::parse_sort(p.parse(sort).value());
    q.count = count;
    query::Executor ex(q, store, store.find("c"));
    bool matched = false;
    ex.run(nullptr, &matched);
    return ex.access_path();
  };
  using query::AccessPath;
  EXPECT_EQ(path_for(R"({"city":"a"})", "", {}), AccessPath::kIndexEquality);
  EXPECT_EQ(path_for(R"({"city":{"$in":["a","b"]},"age":{"$gt":3}})", "", {}), AccessPath::kIndexEquality);
  EXPECT_EQ(path_for(R"({"age":{"$gte":3,"$lt":5}})", "", {}), AccessPath::kIndexRange);
  EXPECT_EQ(path_for(R"({"age":{"$gte":3}})", "", {}), AccessPath::kScan);  // too wide: a scan is cheaper
  EXPECT_EQ(path_for(R"({})", R"([{"field":"age","order":"desc"}])", 5), AccessPath::kIndexOrder);
  EXPECT_EQ(path_for(R"({})", R"(["age"])", {}), AccessPath::kScan);  // no count: full sort
  EXPECT_EQ(path_for(R"({"other":1})", "", {}), AccessPath::kScan);
  EXPECT_EQ(path_for(R"({"$or":[{"city":"a"}]})", "", {}), AccessPath::kScan);
}

}  // namespace
}  // namespace kiln::testing
