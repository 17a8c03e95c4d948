// The header-only C++ wrapper (kiln.hpp) over the C API.
#include <gtest/gtest.h>

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
