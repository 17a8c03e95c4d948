// Collection: the key -> record map every read and write goes through. Its
// hash set points at records and each record knows its slot in the dense
// vector, so put (new or replacing), erase (moving the last slot into the
// hole) and clear must keep the set, the slots and the records agreeing.
// Checked against a std::map model after every step of random sequences.
#include "store/collection.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "store/doc_record.h"

namespace kiln {
namespace {

// Every view of the collection against the model: find by key, the dense
// slots (each record exactly once), size and the RAM byte count.
void expect_matches(const Collection& c, const std::map<std::string, std::string>& model) {
  ASSERT_EQ(c.size(), model.size());
  size_t bytes = 0;
  for (const auto& [key, value] : model) {
    const DocRecord* r = c.find_raw(key);
    ASSERT_NE(r, nullptr) << key;
    EXPECT_EQ(r->key(), key);
    EXPECT_EQ(r->bytes(), value) << key;
    EXPECT_EQ(c.find(key).get(), r);
    bytes += r->allocated_size();
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < c.size(); ++i) {
    const DocRecord* r = c.slot(i);
    EXPECT_TRUE(seen.insert(std::string(r->key())).second) << "slot " << i << " repeats " << r->key();
    EXPECT_EQ(c.find_raw(r->key()), r) << "slot " << i;
  }
  EXPECT_EQ(c.bytes_in_ram(), bytes);
}

TEST(Collection, RecordKeepsKeyAndValue) {
  std::string long_key(256, 'k');
  DocRef r = DocRef::make(long_key, "\x06\x03" "abc");
  EXPECT_EQ(r->key(), long_key);
  EXPECT_EQ(r->bytes(), std::string_view("\x06\x03" "abc"));
  DocRef empty = DocRef::make("k", "");
  EXPECT_EQ(empty->key(), "k");
  EXPECT_TRUE(empty->bytes().empty());
}

TEST(Collection, RecordRefusesAKeyTooLongForItsHeader) {
  EXPECT_THROW(DocRef::make(std::string(65536, 'k'), "\x00"), std::length_error);
  EXPECT_EQ(DocRef::make(std::string(65535, 'k'), "\x00")->key().size(), 65535u);
}

TEST(Collection, ReplaceKeepsOneEntryAndReturnsNothingStale) {
  Collection c;
  c.put(DocRef::make("a", "1"));
  c.put(DocRef::make("b", "2"));
  DocRef old = c.find("a");
  c.put(DocRef::make("a", "3"));
  EXPECT_EQ(old->bytes(), "1");  // a reader's reference outlives the replace
  expect_matches(c, {{"a", "3"}, {"b", "2"}});
}

TEST(Collection, EraseMovesTheLastRecordIntoTheHole) {
  Collection c;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 5; ++i) {
    std::string k = "k" + std::to_string(i);
    c.put(DocRef::make(k, "v" + std::to_string(i)));
    model[k] = "v" + std::to_string(i);
  }
  EXPECT_TRUE(c.erase("k1"));  // a middle slot: k4 moves into it
  model.erase("k1");
  expect_matches(c, model);
  c.put(DocRef::make("k4", "moved then replaced"));
  model["k4"] = "moved then replaced";
  expect_matches(c, model);
  EXPECT_TRUE(c.erase("k4"));
  EXPECT_FALSE(c.erase("k4"));
  model.erase("k4");
  expect_matches(c, model);
  c.clear();
  expect_matches(c, {});
  c.put(DocRef::make("k0", "again"));
  expect_matches(c, {{"k0", "again"}});
}

TEST(Collection, RandomPutsReplacesAndErasesMatchAModel) {
  std::mt19937 rng(7);
  Collection c;
  std::map<std::string, std::string> model;
  for (int step = 0; step < 20000; ++step) {
    std::string k = "key" + std::to_string(rng() % 300);  // few keys: many replaces and erases
    switch (rng() % 3) {
      case 0:
      case 1: {
        std::string v(rng() % 40, static_cast<char>('a' + rng() % 26));
        c.put(DocRef::make(k, v));
        model[k] = v;
        break;
      }
      case 2: EXPECT_EQ(c.erase(k), model.erase(k) == 1) << k; break;
    }
    if (step % 1000 == 0) {
      ASSERT_NO_FATAL_FAILURE(expect_matches(c, model));
    }
  }
  expect_matches(c, model);
}

TEST(Collection, PutAllLoadsInBulkWithLaterRecordsWinning) {
  Collection c;
  std::vector<DocRef> records;
  for (int i = 0; i < 1000; ++i) records.push_back(DocRef::make("k" + std::to_string(i % 700), std::to_string(i)));
  c.put_all(std::move(records));
  std::map<std::string, std::string> model;
  for (int i = 0; i < 1000; ++i) model["k" + std::to_string(i % 700)] = std::to_string(i);
  expect_matches(c, model);
}

}  // namespace
}  // namespace kiln
