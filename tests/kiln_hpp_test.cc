// The header-only C++ wrapper (kiln.hpp) over the C API.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <vector>

#include "kiln.hpp"

namespace {

TEST(KilnHpp, ExecuteGetPut) {
  kiln::Database db = kiln::Database::open_memory();
  EXPECT_EQ(db.execute(R"({"op":"set","collection":"c","data":{"k":{"x":1}}})"), R"({"count":1,"status":"ok"})");
  ASSERT_TRUE(db.get("c", "k").has_value());
  EXPECT_NE(db.get("c", "k")->find(R"("x":1)"), std::string::npos);
  EXPECT_FALSE(db.get("c", "missing").has_value());
  EXPECT_EQ(db.put("c", "k", R"({"x":2})"), 2u);
}

TEST(KilnHpp, ErrorsBecomeExceptionsWithStatusAndMessage) {
  kiln::Database db = kiln::Database::open_memory();
  try {
    db.execute(R"({"op":"get","collection":"c","keys":"nope"})");
    FAIL() << "expected an exception";
  } catch (const kiln::Exception& e) {
    EXPECT_EQ(e.status(), KILN_NOT_FOUND);
    EXPECT_STREQ(e.status_name(), "KILN_NOT_FOUND");
    EXPECT_STREQ(e.what(), "No documents found");
  }
  EXPECT_THROW(db.put("c", "bad key", "{}"), kiln::Exception);
  EXPECT_THROW(kiln::Database::open_memory(R"({"mode":"nope"})"), kiln::Exception);
}

TEST(KilnHpp, MovedFromAndClosedDatabasesThrowClosed) {
  kiln::Database a = kiln::Database::open_memory();
  kiln::Database b = std::move(a);
  b.execute(R"({"op":"set","data":{"k":1}})");
  try {
    a.execute(R"({"op":"get"})");
    FAIL() << "expected an exception";
  } catch (const kiln::Exception& e) {
    EXPECT_EQ(e.status(), KILN_CLOSED);
  }
  b.close();
  b.close();  // idempotent
  EXPECT_THROW(b.get("default", "k"), kiln::Exception);
}

}  // namespace

namespace {

TEST(KilnHpp, SubscribeDeliversChangesUntilCancelled) {
  kiln::Database db = kiln::Database::open_memory();
  std::mutex mu;
  std::condition_variable cv;
  std::vector<kiln::Change> seen;
  kiln::Subscription sub = db.subscribe(
      [&](const kiln::Change& c) {
        std::lock_guard lock(mu);
        seen.push_back(c);
        cv.notify_all();
      },
      "users");
  db.execute(R"({"op":"set","collection":"users","data":{"u1":{"n":1}}})");
  db.execute(R"({"op":"set","collection":"other","data":{"x":{"n":1}}})");
  db.execute(R"({"op":"delete","collection":"users","keys":"u1"})");
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return seen.size() >= 2; }));
  }
  sub.cancel();
  db.execute(R"({"op":"set","collection":"users","data":{"u2":{"n":1}}})");
  db.flush();  // memory mode: nothing to do, but must succeed
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].collection, "users");
  EXPECT_EQ(seen[0].key, "u1");
  EXPECT_EQ(seen[0].new_v, std::optional<int64_t>(1));
  EXPECT_FALSE(seen[1].new_v.has_value());
  EXPECT_LT(seen[0].lsn, seen[1].lsn);
}

}  // namespace
