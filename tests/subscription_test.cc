// The push change feed of the C API: order, filters, event contents,
// unsubscribe semantics, lifetime across kiln_close.
#include <atomic>
#include <cstring>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "durability_helpers.h"

namespace kiln::durability_testing {
namespace {

struct Event {
  std::string collection, key;
  int64_t new_v;
  uint64_t lsn;
  std::thread::id thread;
};

struct Sink {
  std::mutex mu;
  std::vector<Event> events;
  std::atomic<int> destroyed{0};
  int sleep_ms = 0;
  std::atomic<bool> in_callback{false};

  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
  bool wait_for(size_t n) {
    for (int i = 0; i < 500 && size() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return size() >= n;
  }
};

void on_change(void* user, const char* c, size_t cl, const char* k, size_t kl, int64_t v, uint64_t lsn) {
  auto* sink = static_cast<Sink*>(user);
  sink->in_callback = true;
  if (sink->sleep_ms) std::this_thread::sleep_for(std::chrono::milliseconds(sink->sleep_ms));
  {
    std::lock_guard lock(sink->mu);
    sink->events.push_back({std::string(c, cl), std::string(k, kl), v, lsn, std::this_thread::get_id()});
  }
  sink->in_callback = false;
}

void on_destroy(void* user) { static_cast<Sink*>(user)->destroyed++; }

kiln_subscription* subscribe(kiln_db* db, const char* collection, Sink& sink) {
  kiln_subscription* sub = nullptr;
  EXPECT_EQ(kiln_subscribe(db, collection, collection ? std::strlen(collection) : 0, on_change, &sink, on_destroy,
                           &sub, nullptr),
            KILN_OK);
  return sub;
}

TEST(Subscription, EventsArriveInLsnOrderWithTheirContents) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  Sink all, only_a;
  kiln_subscription* s_all = subscribe(db, nullptr, all);
  kiln_subscription* s_a = subscribe(db, "a", only_a);
  must_exec(db, R"({"op":"set","collection":"a","data":{"k1":{"n":1},"k2":{"n":2}}})");
  must_exec(db, R"({"op":"update","collection":"a","data":{"k1":{"n":3}}})");
  must_exec(db, R"({"op":"set","collection":"b","data":{"x":5}})");
  must_exec(db, R"({"op":"delete","collection":"a","keys":"k2"})");
  must_exec(db, R"({"op":"delete","collection":"b","drop":true})");
  ASSERT_TRUE(all.wait_for(6));
  ASSERT_TRUE(only_a.wait_for(4));
  std::lock_guard lock(all.mu);
  ASSERT_EQ(all.events.size(), 6u);
  auto expect = [](const Event& e, const char* c, const char* k, int64_t v, uint64_t lsn) {
    EXPECT_EQ(e.collection, c);
    EXPECT_EQ(e.key, k);
    EXPECT_EQ(e.new_v, v);
    EXPECT_EQ(e.lsn, lsn);
  };
  expect(all.events[0], "a", "k1", 1, 1);
  expect(all.events[1], "a", "k2", 1, 1);
  expect(all.events[2], "a", "k1", 2, 2);
  expect(all.events[3], "b", "x", 0, 3);  // non-object documents carry no _v
  expect(all.events[4], "a", "k2", KILN_CHANGE_DELETED, 4);
  expect(all.events[5], "b", "*", KILN_CHANGE_DELETED, 5);
  EXPECT_NE(all.events[0].thread, std::this_thread::get_id());  // an engine-owned thread
  std::lock_guard lock_a(only_a.mu);
  ASSERT_EQ(only_a.events.size(), 4u);
  for (const Event& e : only_a.events) EXPECT_EQ(e.collection, "a");
  kiln_unsubscribe(s_all);
  kiln_unsubscribe(s_a);
  EXPECT_EQ(all.destroyed, 1);
  EXPECT_EQ(only_a.destroyed, 1);
  kiln_close(db);
}

TEST(Subscription, ConcurrentWritersAreDeliveredInLsnOrder) {
  kiln_db* db = must_open("", R"({"mode":"memory"})");
  Sink sink;
  kiln_subscription* sub = subscribe(db, nullptr, sink);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string key = "t" + std::to_string(t) + "_" + std::to_string(i);
        EXPECT_EQ(kiln_put(db, "c", 1, key.data(), key.size(), "{}", 2, nullptr, nullptr), KILN_OK);
      }
    });
  }
  for (auto& w : writers) w.join();
  ASSERT_TRUE(sink.wait_for(400));
  std::lock_guard lock(sink.mu);
  for (size_t i = 0; i < sink.events.size(); ++i) EXPECT_EQ(sink.events[i].lsn, i + 1);
  kiln_unsubscribe(sub);
  kiln_close(db);
}

TEST(Subscription, UnsubscribeWaitsForTheCallbackInFlight) {
  kiln_db* db = must_open("", R"({"mode":"memory"})");
  Sink sink;
  sink.sleep_ms = 200;
  kiln_subscription* sub = subscribe(db, nullptr, sink);
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{}}})");
  for (int i = 0; i < 400 && !sink.in_callback; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(sink.in_callback);
  kiln_unsubscribe(sub);
  EXPECT_FALSE(sink.in_callback);  // the callback had finished
  EXPECT_EQ(sink.size(), 1u);
  EXPECT_EQ(sink.destroyed, 1);
  must_exec(db, R"({"op":"set","collection":"c","data":{"k2":{}}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(sink.size(), 1u);  // nothing after unsubscribe
  kiln_close(db);
}

struct SelfCancel {
  kiln_subscription* sub = nullptr;
  std::atomic<int> calls{0};
  std::atomic<int> destroyed{0};
};

TEST(Subscription, UnsubscribeFromInsideTheCallback) {
  kiln_db* db = must_open("", R"({"mode":"memory"})");
  SelfCancel self;
  kiln_subscription* sub = nullptr;
  auto cb = [](void* u, const char*, size_t, const char*, size_t, int64_t, uint64_t) {
    auto* s = static_cast<SelfCancel*>(u);
    if (s->calls++ == 0) kiln_unsubscribe(s->sub);
  };
  auto destroy = [](void* u) { static_cast<SelfCancel*>(u)->destroyed++; };
  ASSERT_EQ(kiln_subscribe(db, nullptr, 0, cb, &self, destroy, &sub, nullptr), KILN_OK);
  self.sub = sub;
  must_exec(db, R"({"op":"set","collection":"c","data":{"a":{},"b":{}}})");  // two events
  for (int i = 0; i < 200 && self.destroyed == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(self.calls, 1);
  EXPECT_EQ(self.destroyed, 1);
  kiln_close(db);
}

TEST(Subscription, OutlivesCloseAndRejectsBadInput) {
  kiln_db* db = must_open("", R"({"mode":"memory"})");
  Sink sink;
  kiln_subscription* sub = subscribe(db, "c", sink);
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{}}})");
  kiln_close(db);  // pending events are delivered before close returns
  EXPECT_EQ(sink.size(), 1u);
  EXPECT_EQ(sink.destroyed, 0);
  kiln_unsubscribe(sub);  // after close: still fine
  EXPECT_EQ(sink.destroyed, 1);
  kiln_unsubscribe(nullptr);

  db = must_open("", R"({"mode":"memory"})");
  kiln_subscription* bad = nullptr;
  Sink unused;
  EXPECT_EQ(kiln_subscribe(db, "no spaces", 9, on_change, &unused, on_destroy, &bad, nullptr), KILN_INVALID_ARGUMENT);
  EXPECT_EQ(bad, nullptr);
  EXPECT_EQ(unused.destroyed, 0);  // on failure the caller keeps user_data
  EXPECT_EQ(kiln_subscribe(db, nullptr, 0, nullptr, nullptr, nullptr, &bad, nullptr), KILN_INVALID_ARGUMENT);
  kiln_close(db);
}

TEST(Subscription, SyncModeDeliversOnlyDurableWrites) {
  TempDir dir;
  kiln_db* db = must_open(dir.db());
  Sink sink;
  kiln_subscription* sub = subscribe(db, nullptr, sink);
  must_exec(db, R"({"op":"set","collection":"c","data":{"k":{}}})");
  ASSERT_TRUE(sink.wait_for(1));
  std::string stats = must_exec(db, R"({"op":"stats"})");
  EXPECT_GE(json_number(stats, "durable_lsn"), 1);
  kiln_unsubscribe(sub);
  kiln_close(db);
}

}  // namespace
}  // namespace kiln::durability_testing
