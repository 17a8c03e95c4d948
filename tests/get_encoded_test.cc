// kiln_get_encoded: the stored document in the binary document encoding
// (docs/document_format.md), through the C API and kiln.hpp.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "doc/json_writer.h"
#include "doc/value.h"
#include "kiln.hpp"
#include "support/test_db.h"

namespace kiln::testing {
namespace {

struct Got {
  int32_t status;
  std::string bytes;    // the buffer on KILN_OK
  std::string message;  // the error message otherwise ("" without an error)
  bool out_cleared;     // *out_doc == NULL and *out_len == 0 after a failure
};

Got get_encoded(kiln_db* db, std::string_view collection, std::string_view key) {
  char* out = reinterpret_cast<char*>(1);  // the call must overwrite both
  size_t len = 99;
  kiln_error* err = reinterpret_cast<kiln_error*>(1);
  int32_t status = kiln_get_encoded(db, collection.data(), collection.size(), key.data(), key.size(), &out, &len, &err);
  Got got{status, {}, kiln_error_message(err), out == nullptr && len == 0};
  if (status == KILN_OK) got.bytes.assign(out, len);
  kiln_free(status == KILN_OK ? out : nullptr);
  kiln_error_free(err);
  return got;
}

std::string get_json(kiln_db* db, std::string_view collection, std::string_view key) {
  char* out = nullptr;
  size_t len = 0;
  EXPECT_EQ(kiln_get(db, collection.data(), collection.size(), key.data(), key.size(), &out, &len, nullptr), KILN_OK);
  std::string json(out ? out : "", len);
  kiln_free(out);
  return json;
}

// The JSON text the engine's own writer makes of an encoded value.
std::string as_json(std::string_view encoded) {
  std::string json;
  doc::write_json(doc::Value(encoded), json);
  return json;
}

TEST(GetEncoded, EncodingVersionIsTheHeaders) {
  EXPECT_EQ(kiln_encoding_version(), KILN_ENCODING_VERSION);
  EXPECT_EQ(kiln_encoding_version(), 1);
}

TEST(GetEncoded, SameDocumentAsKilnGet) {
  TestDb db;
  db.ok(R"({"op":"set","collection":"c","data":{
      "small":{"a":1},
      "mixed":{"i":-42,"big":18446744073709551615,"min":-9223372036854775808,"d":2.5,"nz":-0.0,"e":1e300,
               "s":"h\u00e9llo \ud83d\ude00 \"q\"\n","t":true,"f":false,"n":null,
               "arr":[1,[2,[3,{}]],[],{"x":[]}],"obj":{"z":{"y":{"x":"deep"}}}},
      "empty":{}}})");
  for (const char* key : {"small", "mixed", "empty"}) {
    Got got = get_encoded(db.handle(), "c", key);
    ASSERT_EQ(got.status, KILN_OK) << key << ": " << got.message;
    EXPECT_EQ(got.message, "");
    EXPECT_EQ(static_cast<uint8_t>(got.bytes[0]), doc::kObject8) << key << ": a small object has u8 offsets";
    EXPECT_EQ(doc::Value(got.bytes).size(), got.bytes.size()) << key << ": exactly one value";
    EXPECT_EQ(as_json(got.bytes), get_json(db.handle(), "c", key)) << key;
  }
}

TEST(GetEncoded, ScalarDocumentsHaveTheDocumentedBytes) {
  TestDb db;
  // Documents that are not objects are stored as they are (no metadata).
  db.ok(R"({"op":"set","collection":"c","data":{"n":null,"five":5,"minus":-3,"s":"hi","t":true,"a":[false]}})");
  EXPECT_EQ(get_encoded(db.handle(), "c", "n").bytes, std::string("\x00", 1));
  EXPECT_EQ(get_encoded(db.handle(), "c", "five").bytes, "\x03\x0a");  // zigzag(5) = 10
  EXPECT_EQ(get_encoded(db.handle(), "c", "minus").bytes, "\x03\x05");  // zigzag(-3) = 5
  EXPECT_EQ(get_encoded(db.handle(), "c", "s").bytes, "\x06\x02hi");
  EXPECT_EQ(get_encoded(db.handle(), "c", "t").bytes, "\x02");
  // array: tag, payload length (count + elements), count, elements.
  EXPECT_EQ(get_encoded(db.handle(), "c", "a").bytes, "\x07\x02\x01\x01");
}

TEST(GetEncoded, AbsentIsNotFoundWithoutAnError) {
  TestDb db;
  db.ok(R"({"op":"set","collection":"c","data":{"k":{"a":1}}})");
  for (auto [collection, key] : {std::pair{"c", "nope"}, {"other", "k"}}) {
    Got got = get_encoded(db.handle(), collection, key);
    EXPECT_EQ(got.status, KILN_NOT_FOUND) << collection << "/" << key;
    EXPECT_EQ(got.message, "");
    EXPECT_TRUE(got.out_cleared);
  }
  db.ok(R"({"op":"delete","collection":"c","keys":"k"})");
  EXPECT_EQ(get_encoded(db.handle(), "c", "k").status, KILN_NOT_FOUND);
}

TEST(GetEncoded, BadNamesAreInvalidArguments) {
  TestDb db;
  Got bad_key = get_encoded(db.handle(), "c", "bad key");
  EXPECT_EQ(bad_key.status, KILN_INVALID_ARGUMENT);
  EXPECT_NE(bad_key.message.find("Invalid key name"), std::string::npos) << bad_key.message;
  EXPECT_TRUE(bad_key.out_cleared);
  EXPECT_EQ(get_encoded(db.handle(), "c", "").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(get_encoded(db.handle(), "c", std::string(257, 'k')).status, KILN_INVALID_ARGUMENT);
  Got reserved = get_encoded(db.handle(), "admin", "k");
  EXPECT_EQ(reserved.status, KILN_INVALID_ARGUMENT);
  EXPECT_NE(reserved.message.find("admin"), std::string::npos) << reserved.message;
  EXPECT_EQ(get_encoded(db.handle(), "", "k").status, KILN_INVALID_ARGUMENT);
  EXPECT_EQ(get_encoded(db.handle(), "no/slash", "k").status, KILN_INVALID_ARGUMENT);
}

TEST(GetEncoded, NullArgumentsAreNamed) {
  TestDb db;
  char* out = nullptr;
  kiln_error* err = nullptr;
  auto expect_named = [&](int32_t status, const char* what) {
    EXPECT_EQ(status, KILN_INVALID_ARGUMENT) << what;
    EXPECT_EQ(std::string(kiln_error_message(err)), std::string(what) + " must not be NULL");
    kiln_error_free(err);
    err = nullptr;
  };
  expect_named(kiln_get_encoded(nullptr, "c", 1, "k", 1, &out, nullptr, &err), "db");
  expect_named(kiln_get_encoded(db.handle(), nullptr, 0, "k", 1, &out, nullptr, &err), "collection");
  expect_named(kiln_get_encoded(db.handle(), "c", 1, nullptr, 0, &out, nullptr, &err), "key");
  expect_named(kiln_get_encoded(db.handle(), "c", 1, "k", 1, nullptr, nullptr, &err), "out_doc");
  EXPECT_EQ(out, nullptr);
  // out_len and out_err may be NULL.
  db.ok(R"({"op":"set","collection":"c","data":{"k":7}})");
  ASSERT_EQ(kiln_get_encoded(db.handle(), "c", 1, "k", 1, &out, nullptr, nullptr), KILN_OK);
  EXPECT_EQ(std::string(out, 2), "\x03\x0e");
  kiln_free(out);
}

TEST(GetEncoded, KilnHppWrapsItAndRefusesAClosedDatabase) {
  kiln::Database db = kiln::Database::open_memory();
  db.put("c", "k", R"({"x":[1,2.5,"s"]})");
  std::optional<std::string> bytes = db.get_encoded("c", "k");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(as_json(*bytes), *db.get("c", "k"));
  EXPECT_FALSE(db.get_encoded("c", "missing").has_value());
  try {
    db.get_encoded("c", "bad key");
    FAIL() << "expected an exception";
  } catch (const kiln::Exception& e) {
    EXPECT_EQ(e.status(), KILN_INVALID_ARGUMENT);
  }
  db.close();
  try {
    db.get_encoded("c", "k");
    FAIL() << "expected an exception";
  } catch (const kiln::Exception& e) {
    EXPECT_EQ(e.status(), KILN_CLOSED);
  }
}

TEST(GetEncoded, ABufferOutlivesTheDocumentAndTheDatabase) {
  char* out = nullptr;
  size_t len = 0;
  std::string json;
  {
    TestDb db;
    db.ok(R"({"op":"set","collection":"c","data":{"k":{"a":"first"}}})");
    ASSERT_EQ(kiln_get_encoded(db.handle(), "c", 1, "k", 1, &out, &len, nullptr), KILN_OK);
    json = get_json(db.handle(), "c", "k");
    db.ok(R"({"op":"set","collection":"c","data":{"k":{"a":"second"}}})");
  }
  EXPECT_EQ(as_json({out, len}), json);
  EXPECT_NE(json.find("first"), std::string::npos);
  kiln_free(out);
}

}  // namespace
}  // namespace kiln::testing
