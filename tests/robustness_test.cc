// Mutated and random requests: whatever arrives, kiln_execute answers with a
// known status and a message, never crashes (run under ASan/UBSan by
// scripts/test), and a failed request leaves the database as it was.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace kiln::testing {
namespace {

const std::vector<std::string> kSeeds = {
    R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada","age":36,"tags":["a","b"],"addr":{"zip":"1"}}}})",
    R"({"op":"set","collection":"users","data":[{"n":1.5},{"n":-2},"text",null,true]})",
    R"({"op":"update","collection":"users","data":{"u1":{"_v":1,"age":37,"$unset":["addr.zip"]}}})",
    R"({"op":"delete","collection":"users","keys":["u1","u2"]})",
    R"({"op":"delete","collection":"users","drop":true})",
    R"({"op":"get","collection":"users","keys":["u1"]})",
    R"({"op":"batch","ops":[{"op":"set","collection":"a","data":{"k":{"x":"\u00e9\n"}}},{"op":"delete","collection":"a","keys":"k"}]})",
    R"({"op":"set","collection":"users","data":{"e":{"extends":{"ref":"users.u1"}}}})",
};

const std::set<int32_t> kKnownStatuses = {KILN_OK, KILN_NOT_FOUND, KILN_INVALID_ARGUMENT, KILN_CONFLICT};

std::string mutate(std::string s, std::mt19937& rng) {
  const char alphabet[] = "{}[]\":,\\0123456789abcdefnulltrue-.eE \x01\xff\xc3\xa9$_";
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !s.empty(); ++i) {
    size_t at = rng() % s.size();
    switch (rng() % 4) {
      case 0: s[at] = alphabet[rng() % (sizeof alphabet - 1)]; break;         // replace
      case 1: s.insert(at, 1, alphabet[rng() % (sizeof alphabet - 1)]); break;  // insert
      case 2: s.erase(at, 1 + rng() % 3); break;                                // delete
      default: s.resize(at); break;                                             // truncate
    }
  }
  return s;
}

TEST(Robustness, MutatedRequestsGetTypedAnswers) {
  TestDb db;
  for (const std::string& seed : kSeeds) db.run(seed);
  std::mt19937 rng(20261122);
  int ok = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string request = mutate(kSeeds[rng() % kSeeds.size()], rng);
    std::string before = db.run(R"({"op":"get","collection":"users"})").body;
    Result r = db.run(request);
    ASSERT_TRUE(kKnownStatuses.count(r.status)) << "status " << r.status << " for " << request;
    if (r.status == KILN_OK) {
      ++ok;
      continue;
    }
    ++rejected;
    EXPECT_FALSE(r.body.empty()) << request;
    if (r.status != KILN_NOT_FOUND) {
      EXPECT_EQ(db.run(R"({"op":"get","collection":"users"})").body, before) << "failed request changed data: " << request;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(rejected, 0);
}

TEST(Robustness, RandomBytesAreRejected) {
  TestDb db;
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    Result r = db.run(junk);
    EXPECT_EQ(r.status, KILN_INVALID_ARGUMENT);
  }
}

}  // namespace
}  // namespace kiln::testing
