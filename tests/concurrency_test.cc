// One kiln_db used from many threads at once: writers, optimistic-concurrency
// increments and readers. Run under TSan by scripts/test (preset "tsan").
#include <gtest/gtest.h>

#include <simdjson.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "support/test_db.h"

namespace kiln::testing {
namespace {

constexpr int kWriters = 4;
constexpr int kDocsPerWriter = 300;
constexpr int kIncrementsPerWriter = 100;

// Reads the counter, then writes n+1 guarded by the _v it read; retries on
// CONFLICT. Returns how many conflicts it met.
int increment(kiln_db* db) {
  simdjson::dom::parser parser;
  for (int conflicts = 0;; ++conflicts) {
    Result doc = run(db, R"({"op":"get","collection":"counters","keys":"c"})");
    EXPECT_EQ(doc.status, KILN_OK);
    simdjson::dom::element e = parser.parse(doc.body);
    int64_t n = e["n"].get_int64().value();
    uint64_t v = e["_v"].get_uint64().value();
    Result r = run(db, R"({"op":"update","collection":"counters","data":{"c":{"_v":)" + std::to_string(v) +
                           R"(,"n":)" + std::to_string(n + 1) + "}}}");
    if (r.status == KILN_OK) return conflicts;
    EXPECT_EQ(r.status, KILN_CONFLICT) << r.body;
  }
}

TEST(Concurrency, WritersReadersAndOptimisticIncrements) {
  TestDb db;
  db.ok(R"({"op":"set","collection":"counters","data":{"c":{"n":0}}})");
  std::atomic<bool> writing{true};
  std::atomic<int> conflicts{0};
  // Writers start once both readers run, so that reads overlap the writes
  // even when the machine is too busy to schedule the readers early.
  std::atomic<int> readers_running{0};

  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      while (readers_running.load() < 2) std::this_thread::yield();
      for (int i = 0; i < kDocsPerWriter; ++i) {
        std::string key = "w" + std::to_string(t) + "_" + std::to_string(i);
        Result r = run(db.handle(), R"({"op":"set","collection":"docs","data":{")" + key + R"(":{"n":)" +
                                        std::to_string(i) + R"(,"writer":)" + std::to_string(t) + "}}}");
        EXPECT_EQ(r.status, KILN_OK) << r.body;
        if (i % 3 == 0) conflicts += increment(db.handle());
      }
      for (int i = kDocsPerWriter / 3; i < kIncrementsPerWriter; ++i) conflicts += increment(db.handle());
    });
  }
  std::atomic<int> reads{0};
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      simdjson::dom::parser parser;
      ++readers_running;
      while (writing.load()) {
        char* out = nullptr;
        size_t len = 0;
        int32_t status = kiln_get(db.handle(), "docs", 4, "w1_7", 4, &out, &len, nullptr);
        if (status == KILN_OK) {
          // A reader sees whole documents only, never a torn one.
          simdjson::dom::element e = parser.parse(out, len);
          EXPECT_EQ(e["n"].get_int64().value(), 7);
          kiln_free(out);
        } else {
          EXPECT_EQ(status, KILN_NOT_FOUND);
        }
        Result all = run(db.handle(), R"({"op":"get","collection":"docs"})");
        EXPECT_TRUE(all.status == KILN_OK || all.status == KILN_NOT_FOUND);
        ++reads;
      }
    });
  }
  for (int t = 0; t < kWriters; ++t) threads[t].join();
  writing = false;
  for (size_t t = kWriters; t < threads.size(); ++t) threads[t].join();

  // Every increment landed exactly once despite the races.
  simdjson::dom::parser parser;
  std::string counter = db.ok(R"({"op":"get","collection":"counters","keys":"c"})");
  simdjson::dom::element c = parser.parse(counter);
  EXPECT_EQ(c["n"].get_int64().value(), kWriters * kIncrementsPerWriter);
  EXPECT_EQ(c["_v"].get_uint64().value(), static_cast<uint64_t>(kWriters * kIncrementsPerWriter + 1));
  simdjson::dom::element all = parser.parse(db.ok(R"({"op":"get","collection":"docs"})"));
  EXPECT_EQ(all.get_array().size(), static_cast<size_t>(kWriters * kDocsPerWriter));
  std::printf("conflicts retried: %d, reader passes: %d\n", conflicts.load(), reads.load());
}

// Large sets plan their documents on the shared helper threads while
// readers write large results on them too; a failing large set stores
// nothing meanwhile.
TEST(Concurrency, LargeSetsShareTheHelpersWithReaders) {
  constexpr int kRequests = 15, kDocs = 200;
  TestDb db;
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRequests; ++r) {
        std::string request = R"({"op":"set","collection":"docs","data":{)";
        for (int i = 0; i < kDocs; ++i) {
          request += (i ? ",\"" : "\"") + std::to_string(t) + "_" + std::to_string(r) + "_" + std::to_string(i) +
                     R"(":{"n":)" + std::to_string(i) + "}";
        }
        Result ok = run(db.handle(), request + "}}");
        EXPECT_EQ(ok.status, KILN_OK) << ok.body;
        // Its last item repeats the first key with an outdated _v.
        Result bad = run(db.handle(), request + ",\"" + std::to_string(t) + "_" + std::to_string(r) + R"(_0":{"_v":1}}})");
        EXPECT_EQ(bad.status, KILN_CONFLICT) << bad.body;
      }
    });
  }
  threads.emplace_back([&] {
    while (writing.load()) {
      Result all = run(db.handle(), R"({"op":"get","collection":"docs","fields":["n"]})");
      EXPECT_TRUE(all.status == KILN_OK || all.status == KILN_NOT_FOUND);
    }
  });
  threads[0].join();
  threads[1].join();
  writing = false;
  threads[2].join();
  simdjson::dom::parser parser;
  simdjson::dom::element all = parser.parse(db.ok(R"({"op":"get","collection":"docs","fields":["n"]})"));
  EXPECT_EQ(all.get_array().size(), static_cast<size_t>(2 * kRequests * kDocs));
}

}  // namespace
}  // namespace kiln::testing
