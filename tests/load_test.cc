// The open path's bulk loading (LoadApplier, Collection::put_all,
// Index::build) must leave exactly the Store that applying the same
// mutations one batch at a time leaves: same records, same index contents.
#include <gtest/gtest.h>

#include <simdjson.h>

#include <string>
#include <vector>

#include "doc/encoder.h"
#include "store/store.h"
#include "write/load_applier.h"
#include "write/write_batch.h"

namespace kiln::testing {
namespace {

Mutation put(std::string coll, std::string key, std::string_view json) {
  simdjson::dom::parser parser;
  return {Mutation::Kind::kPut, std::move(coll), {}, DocRef::make(key, doc::encode(parser.parse(json).value())), {}, {}};
}
Mutation del(std::string coll, std::string key) { return {Mutation::Kind::kDelete, std::move(coll), std::move(key), {}, {}, {}}; }
Mutation index_on(std::string coll, std::string field) {
  return {Mutation::Kind::kCreateIndex, std::move(coll), {}, {}, R"({"field":")" + field + R"(","unique":false})", {}};
}

// Everything observable about a Store: records, then each index's ordered
// entries and equality buckets.
std::string dump(const Store& store) {
  std::string out;
  for (const std::string& name : store.names()) {
    const Collection* c = store.find(name);
    out += "collection " + name + " size " + std::to_string(c->size()) + " bytes " +
           std::to_string(c->bytes_in_ram()) + "\n";
    for (const DocRef& r : c->sorted()) out += " " + std::string(r->key()) + "=" + std::string(r->bytes()) + "\n";
    for (const auto& index : c->indexes()) {
      out += " index " + index->def().field + " buckets " + std::to_string(index->hash_size()) + "\n";
      for (const Index::Entry& e : index->ordered()) {
        out += "  " + std::to_string(e.rank) + "|" + std::to_string(e.number) + "|" + e.text + "|" +
               std::string(e.record->key());
        std::optional<std::string> k = index->key_of(e.record->value());
        out += k ? " in bucket of " + std::to_string(index->find(*k)->size()) : " unbucketed";
        out += "\n";
      }
    }
  }
  return out;
}

std::string loaded(const std::vector<std::vector<Mutation>>& batches) {
  Store store;
  LoadApplier loader(store);
  for (const auto& b : batches) loader.add(b);
  loader.finish();
  return dump(store);
}

std::string applied(const std::vector<std::vector<Mutation>>& batches) {
  Store store;
  for (const auto& b : batches) apply(WriteBatch{b, 0}, store);
  return dump(store);
}

TEST(Load, SameStoreAsApplyingBatchByBatch) {
  std::vector<std::vector<Mutation>> batches = {
      // As a snapshot starts: definitions, then documents in key order.
      {index_on("c", "v"), index_on("c", "s")},
      {put("c", "a", R"({"v":1,"s":"Bogota"})"), put("c", "b", R"({"v":1.0,"s":"bogota"})"),
       put("c", "c", R"({"v":-0.0,"s":"x"})"), put("c", "d", R"({"v":0,"s":"X"})"), put("c", "e", R"({"s":null})"),
       put("c", "f", R"({"v":[1,2],"s":true})"), put("c", "g", R"({"v":{"z":1},"s":false})")},
      {put("c", "h", R"({"v":"1","s":"Bogota"})"), put("d", "k", R"({"n":1})")},
      // As a log tail goes on: replacements, deletes, drops, a later index.
      {put("c", "a", R"({"v":2,"s":"Lima"})"), put("c", "a", R"({"v":3,"s":"Lima"})"), del("c", "b")},
      {put("d", "k2", R"({"n":2})"), {Mutation::Kind::kDrop, "d", {}, {}, {}, {}}, put("d", "k3", R"({"n":3})")},
      {put("c", "0", R"({"v":-5})"), index_on("d", "n"), put("d", "k1", R"({"n":0})")},
  };
  std::string expected = applied(batches);
  EXPECT_NE(expected.find("index v"), std::string::npos);
  EXPECT_EQ(loaded(batches), expected);
}

TEST(Load, DuplicateKeysInOneLoadKeepTheLastRecord) {
  std::vector<std::vector<Mutation>> batches = {
      {index_on("c", "v")},
      {put("c", "b", R"({"v":1})"), put("c", "a", R"({"v":2})"), put("c", "b", R"({"v":3})")},
  };
  std::string expected = applied(batches);
  EXPECT_NE(expected.find(" b="), std::string::npos);
  EXPECT_EQ(loaded(batches), expected);
}

TEST(Load, IndexBuiltInBulkMatchesOneAtATime) {
  // Many records out of key order, few distinct values: create_index builds
  // in bulk over existing documents; inserts after it go one at a time.
  std::vector<Mutation> docs;
  for (int i = 0; i < 500; ++i) {
    int k = (i * 7919) % 500;
    std::string v = i % 5 == 0 ? "\"C" + std::to_string(k % 3) + "\"" : std::to_string((k % 4) - 1.5);
    docs.push_back(put("c", "k" + std::to_string(k), "{\"v\":" + v + "}"));
  }
  Store bulk, single;
  apply(WriteBatch{docs, 0}, bulk);
  apply(WriteBatch{{index_on("c", "v")}, 0}, bulk);
  apply(WriteBatch{{index_on("c", "v")}, 0}, single);
  apply(WriteBatch{docs, 0}, single);
  EXPECT_EQ(dump(bulk), dump(single));
}

}  // namespace
}  // namespace kiln::testing
