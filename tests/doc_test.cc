// The document model: JSON -> binary encoding -> JSON, paths, comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <vector>

#include "doc/builder.h"
#include "doc/compare.h"
#include "doc/encoder.h"
#include "doc/json_parser.h"
#include "doc/json_writer.h"
#include "doc/key_order.h"
#include "doc/path.h"
#include "util/error.h"
#include "util/short_bytes.h"

namespace kiln::doc {
namespace {

std::string enc(std::string_view json) {
  simdjson::dom::parser parser;
  return encode(parser.parse(std::string(json)).value());
}

std::string round_trip(std::string_view json) { return to_json(Value(enc(json))); }

TEST(DocEncoding, RoundTripsEveryTypeWithSortedKeys) {
  EXPECT_EQ(round_trip("null"), "null");
  EXPECT_EQ(round_trip("true"), "true");
  EXPECT_EQ(round_trip("false"), "false");
  EXPECT_EQ(round_trip("0"), "0");
  EXPECT_EQ(round_trip("-42"), "-42");
  EXPECT_EQ(round_trip("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(round_trip("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(round_trip("18446744073709551615"), "18446744073709551615");
  EXPECT_EQ(round_trip("1.5"), "1.5");
  EXPECT_EQ(round_trip("1.0"), "1.0");  // a float stays a float
  EXPECT_EQ(round_trip("1e21"), "1e21");
  EXPECT_EQ(round_trip("0.1"), "0.1");
  EXPECT_EQ(round_trip("\"a\\\"b\\\\c\\n\\u0001é\""), "\"a\\\"b\\\\c\\n\\u0001é\"");
  EXPECT_EQ(round_trip("[]"), "[]");
  EXPECT_EQ(round_trip("{}"), "{}");
  EXPECT_EQ(round_trip("[1,[2,[3]],{\"a\":null}]"), "[1,[2,[3]],{\"a\":null}]");
  EXPECT_EQ(round_trip("{\"b\":1,\"a\":{\"d\":2,\"c\":3},\"_v\":1,\"Z\":0}"),
            "{\"Z\":0,\"_v\":1,\"a\":{\"c\":3,\"d\":2},\"b\":1}");
}

TEST(DocEncoding, DuplicateKeysKeepTheLastValue) {
  EXPECT_EQ(round_trip("{\"a\":1,\"b\":2,\"a\":3}"), "{\"a\":3,\"b\":2}");
}

// Keys are sorted by their bytes (unsigned), also when they share the first
// 8 bytes, are prefixes of each other, hold a NUL or non-ASCII bytes.
TEST(DocEncoding, KeysSortByTheirBytes) {
  std::vector<std::string> keys = {"abcdefghX", "abcdefgh", "", "é", "abcdefghA", "Z", "a", "abcdefg",
                                   std::string("abc\0d", 5), "ab", "abcdefgh\xff", "abcd", "abcde", "abc",
                                   std::string("a\0", 2), "\x7f", "abcdefghijklmnop", "abcdefghijklmnoo"};
  std::vector<Field> fields;
  std::string value;
  put_null(value);
  for (const std::string& k : keys) fields.push_back({k, value});
  std::string bytes;
  put_object(bytes, fields);
  Value v(bytes);
  std::sort(keys.begin(), keys.end());
  ASSERT_EQ(v.count(), keys.size());
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(v.key_at(i), keys[i]) << i;
}

// The cache reuses the previous order only for the very same key sequence:
// a key that differs in any byte position (first, middle, last, beyond 8
// bytes), a new order of the same keys, or a duplicate must be sorted anew.
TEST(DocEncoding, KeyOrderCacheAnswersLikeAFreshSort) {
  std::vector<std::vector<std::string>> objects = {
      {"b", "a", "c"},       {"b", "a", "c"},      {"a", "b", "c"},         {"b", "a", "b"},
      {"b", "a", "b"},       {"aXc", "aZc"},       {"aZc", "aXc"},          {"abcdX", "abcdY"},
      {"abcdY", "abcdX"},    {"Xbcdefghij", "Ybcdefghij"}, {"Ybcdefghij", "Xbcdefghij"},
      {"abcdefghiX", "abcdefghiY"}, {"abcdefghiY", "abcdefghiX"}, {},        {"only"},
      {"name", "age", "city", "_v", "createdAt", "modifiedAt"}, {"name", "age", "city", "_v", "createdAt", "modifiedAt"}};
  KeyOrderCache cache;
  std::string value;
  put_null(value);
  for (const auto& keys : objects) {
    std::vector<Field> fields;
    for (const std::string& k : keys) fields.push_back({k, value});
    std::vector<uint32_t> fresh;
    sorted_field_order(fields, fresh);
    std::span<const uint32_t> cached = cache.order(fields);
    EXPECT_EQ(std::vector<uint32_t>(cached.begin(), cached.end()), fresh) << ::testing::PrintToString(keys);
    std::string via_cache, via_sort;
    put_object_ordered(via_cache, fields, cached);
    put_object(via_sort, fields);
    EXPECT_EQ(via_cache, via_sort) << ::testing::PrintToString(keys);
  }
}

// Documents of one request often share member names: each must still get
// its own values (and nested objects their own order).
TEST(DocEncoding, ObjectsWithTheSameNamesEncodeTheirOwnValues) {
  EXPECT_EQ(round_trip("[{\"b\":1,\"a\":{\"y\":1,\"x\":2}},{\"b\":3,\"a\":{\"y\":4,\"x\":5}},"
                       "{\"a\":6,\"b\":{\"x\":7,\"y\":8}},{\"b\":9,\"a\":{\"x\":0}}]"),
            "[{\"a\":{\"x\":2,\"y\":1},\"b\":1},{\"a\":{\"x\":5,\"y\":4},\"b\":3},"
            "{\"a\":6,\"b\":{\"x\":7,\"y\":8}},{\"a\":{\"x\":0},\"b\":9}]");
}

// Every length from 0 to past the word sizes: copies are exact and leave
// the bytes around them alone; a difference in any single byte is seen.
TEST(ShortBytes, CopyAndCompareEveryLength) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string src(n, '\0');
    for (size_t i = 0; i < n; ++i) src[i] = static_cast<char>('a' + i);
    std::string dst(n + 2, '#');
    copy_short(dst.data() + 1, src.data(), n);
    EXPECT_EQ(dst, "#" + src + "#") << n;
    EXPECT_TRUE(equal_short(src.data(), dst.data() + 1, n)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string other = src;
      other[i] = 'Z';
      EXPECT_FALSE(equal_short(src.data(), other.data(), n)) << n << " at " << i;
    }
  }
}

TEST(DocEncoding, LargeObjectsUseWideOffsets) {
  std::string json = "{";
  for (int i = 0; i < 2000; ++i) {
    if (i) json += ",";
    json += "\"k" + std::to_string(i) + "\":\"" + std::string(50, 'x') + "\"";
  }
  json += "}";
  std::string bytes = enc(json);
  Value v(bytes);
  EXPECT_EQ(v.tag(), kObject32);
  EXPECT_EQ(v.count(), 2000u);
  EXPECT_EQ(v.find("k1999").as_string(), std::string(50, 'x'));
  EXPECT_FALSE(v.find("k2000").valid());
  EXPECT_EQ(v.size(), bytes.size());
}

TEST(DocEncoding, FindUsesEveryKey) {
  std::string bytes = enc("{\"a\":1,\"bb\":2,\"c\":3,\"dd\":4,\"e\":5}");
  Value v(bytes);
  EXPECT_EQ(v.find("a").as_int(), 1);
  EXPECT_EQ(v.find("bb").as_int(), 2);
  EXPECT_EQ(v.find("e").as_int(), 5);
  EXPECT_FALSE(v.find("b").valid());
  EXPECT_FALSE(v.find("").valid());
  EXPECT_FALSE(v.find("zz").valid());
}

TEST(DocEncoding, IsSmallerThanTheJsonForTypicalDocuments) {
  std::string json =
      R"({"name":"Alice Smith","age":34,"city":"Bogota","score":87.25,"tags":["t1","t7","t13"],)"
      R"("active":true,"address":{"zip":"11001","street":"Calle 45 #12-34"},"email":"alice.smith@example.com"})";
  EXPECT_LT(enc(json).size(), json.size() * 3 / 2);
}

TEST(DocPath, WalksObjectsOnly) {
  std::string bytes = enc(R"({"a":{"b":{"c":7}},"arr":[{"x":1}],"s":"str"})");
  Value root(bytes);
  EXPECT_EQ(lookup(root, "a.b.c").as_int(), 7);
  EXPECT_TRUE(lookup(root, "a.b").is_object());
  EXPECT_FALSE(lookup(root, "a.x").valid());
  EXPECT_FALSE(lookup(root, "arr.0.x").valid());  // no array indexes
  EXPECT_FALSE(lookup(root, "s.length").valid());
  EXPECT_EQ(split_path("a.b.c").size(), 3u);
}

TEST(DocCompare, EqualityIsTypeStrictForNumbers) {
  EXPECT_TRUE(equal(Value(enc("1")), Value(enc("1"))));
  EXPECT_FALSE(equal(Value(enc("1")), Value(enc("1.0"))));
  EXPECT_TRUE(equal(Value(enc("1.5")), Value(enc("1.5"))));
  EXPECT_FALSE(equal(Value(enc("\"1\"")), Value(enc("1"))));
  EXPECT_TRUE(equal(Value(enc("[1,\"a\",null]")), Value(enc("[1,\"a\",null]"))));
  EXPECT_FALSE(equal(Value(enc("[1,2]")), Value(enc("[2,1]"))));
  EXPECT_TRUE(equal(Value(enc("{\"a\":1,\"b\":2}")), Value(enc("{\"b\":2,\"a\":1}"))));
  EXPECT_FALSE(equal(Value(enc("{\"a\":1}")), Value(enc("{\"a\":1,\"b\":2}"))));
}

TEST(DocCompare, TotalOrderRanksTypesThenValues) {
  auto cmp = [](const char* a, const char* b) { return total_order(Value(enc(a)), Value(enc(b))); };
  EXPECT_LT(cmp("null", "false"), 0);
  EXPECT_LT(cmp("true", "0"), 0);
  EXPECT_LT(cmp("-5", "2.5"), 0);
  EXPECT_GT(cmp("18446744073709551615", "9223372036854775807"), 0);
  EXPECT_LT(cmp("99", "\"a\""), 0);
  EXPECT_LT(cmp("\"B\"", "\"a\""), 0);  // bytes: upper case first
  EXPECT_EQ(cmp("[1,2]", "[1,2]"), 0);
  EXPECT_LT(cmp("[1]", "[1,2]"), 0);
}

TEST(DocBuilder, EditorSetsRemovesAndKeepsOrder) {
  std::string bytes = enc(R"({"b":1,"a":2})");
  ObjectEditor editor{Value(bytes)};
  std::string v;
  put_string(v, "new");
  editor.set("c", v);
  editor.set("a", v);
  editor.remove("b");
  EXPECT_EQ(to_json(Value(editor.build())), R"({"a":"new","c":"new"})");
}

TEST(DocBuilder, RemovePathKeepsEverythingElse) {
  std::string bytes = enc(R"({"a":{"b":1,"c":2},"d":3})");
  EXPECT_EQ(to_json(Value(remove_path(Value(bytes), {"a", "b"}))), R"({"a":{"c":2},"d":3})");
  EXPECT_EQ(to_json(Value(remove_path(Value(bytes), {"d"}))), R"({"a":{"b":1,"c":2}})");
  EXPECT_EQ(to_json(Value(remove_path(Value(bytes), {"x", "y"}))), R"({"a":{"b":1,"c":2},"d":3})");
  EXPECT_EQ(to_json(Value(remove_path(Value(bytes), {"d", "e"}))), R"({"a":{"b":1,"c":2},"d":3})");
}

TEST(DocWriter, InjectsKeyAtItsSortedPlace) {
  std::string bytes = enc(R"({"Z":1,"a":2,"_key":"stale"})");
  std::string out;
  write_json_with_key(Value(bytes), "k1", out);
  EXPECT_EQ(out, R"({"Z":1,"_key":"k1","a":2})");
  out.clear();
  std::string scalar = enc("5");
  write_json_with_key(Value(scalar), "k1", out);
  EXPECT_EQ(out, "5");
}

// The writer copies clean runs 8 and 4 bytes at a time: check every length
// and every position of a character that needs escaping against a plain
// byte-by-byte escaper.
TEST(DocWriter, EscapesEveryLengthAndPosition) {
  auto reference = [](std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
      if (c == '"') out += "\\\"";
      else if (c == '\\') out += "\\\\";
      else if (c == '\n') out += "\\n";
      else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out += c == '\t' ? "\\t" : c == '\r' ? "\\r" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : buf;
      } else out += static_cast<char>(c);
    }
    return out + "\"";
  };
  for (size_t len = 0; len <= 20; ++len) {
    for (char special : {'"', '\\', '\n', '\x01', '\x1f', 'x'}) {
      for (size_t at = 0; at < std::max<size_t>(len, 1); ++at) {
        std::string s(len, 'a');
        if (len) s[at] = special;
        std::string out;
        write_json_string(s, out);
        ASSERT_EQ(out, reference(s)) << "len " << len << " at " << at;
      }
    }
  }
  std::string utf8 = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ok";
  std::string out;
  write_json_string(utf8, out);
  EXPECT_EQ(out, "\"" + utf8 + "\"");  // non-ASCII is written as is
}

// Doubles with one or two decimals take a shortcut: check it against the
// general to_chars form over cents values of every size and sign, their
// neighbours one ulp away, and values that only look like cents.
TEST(DocWriter, DoublesMatchTheShortestRoundTripForm) {
  auto reference = [](double d) {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string text(buf, end);
    if (size_t e = text.find('e'); e != std::string::npos) {
      if (text[e + 1] == '+') text.erase(e + 1, 1);
      return text;
    }
    return text.find('.') == std::string::npos ? text + ".0" : text;
  };
  auto written = [](double d) {
    std::string bytes;
    put_double(bytes, d);
    return to_json(Value(bytes));
  };
  std::vector<double> values = {0.01, 0.1, 0.5, 0.05, 1.25, 99.99, 100.5, 1e5, 1e21, 123456789.12, 999999999999.99,
                                1e12 + 0.5, 1e13 + 0.25, 5e-3, 0.001, 1.0 / 3, 2.675, 1.005, 0.0, -0.0};
  uint64_t x = 88172645463325252ull;  // xorshift: a fixed, reproducible spread
  for (int i = 0; i < 20000; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    int64_t cents = static_cast<int64_t>(x % 100000000000000ull) >> (x % 48);
    values.push_back(static_cast<double>(cents) / 100);
  }
  for (size_t i = 0, n = values.size(); i < n; ++i) {
    values.push_back(-values[i]);
    values.push_back(std::nextafter(values[i], 1e300));
    values.push_back(std::nextafter(values[i], -1e300));
  }
  for (double d : values) ASSERT_EQ(written(d), reference(d)) << std::hexfloat << d;
}

TEST(DocParser, RejectsBadInputWithClearMessages) {
  Limits limits;
  auto message = [&](std::string_view json) {
    try {
      check_depth(parse_json(json, limits), limits);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Code::kInvalidArgument);
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("{\"a\":1}"), "accepted");
  EXPECT_NE(message("{\"a\":}").find("Invalid JSON"), std::string::npos);
  EXPECT_NE(message("").find("Invalid JSON"), std::string::npos);
  EXPECT_EQ(message("\"\xff\""), "Invalid JSON: the text is not valid UTF-8");
  // The root is depth 0: in 32 nested arrays the innermost value is at 32.
  std::string deep32 = std::string(32, '[') + "1" + std::string(32, ']');
  std::string deep33 = std::string(33, '[') + "1" + std::string(33, ']');
  EXPECT_EQ(message(deep32), "accepted");
  EXPECT_EQ(message(deep33), "JSON nesting too deep (max 32 levels)");
  EXPECT_EQ(message(std::string(500, '[') + std::string(500, ']')), "JSON nesting too deep (max 32 levels)");
  limits.max_request_bytes = 10;
  EXPECT_EQ(message("[1,2,3,4,5,6]"), "Payload too large (max 10 bytes)");
}

}  // namespace
}  // namespace kiln::doc
