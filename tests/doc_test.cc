// The document model: JSON -> binary encoding -> JSON, paths, comparison.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
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
#include "doc/timestamp.h"
#include "query/sort.h"
#include "support/old_format.h"
#include "util/error.h"
#include "util/short_bytes.h"

namespace kiln::doc {
namespace {

using kiln::testing::old_form;

std::string enc(std::string_view json) {
  simdjson::dom::parser parser;
  return encode(parser.parse(std::string(json)).value());
}

std::string round_trip(std::string_view json) { return to_json(Value(enc(json))); }

std::string as_json_text(std::string_view s) { return "\"" + std::string(s) + "\""; }

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
  TextBuf buf;
  EXPECT_EQ(v.find("k1999").as_string(buf), std::string(50, 'x'));
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

// A document of the benchmark's shape (bench/support/datagen.cc) with the
// metadata every stored document gets.
constexpr std::string_view kTypicalStored =
    R"({"name":"Grace Hopper","age":47,"city":"Montevideo","score":5123.47,"tags":["gold","vip","web"],)"
    R"("active":true,"address":{"zip":"04211","street":"812 Calle 26"},"email":"grace.hopper123456@example.com",)"
    R"("_v":1,"createdAt":"2026-12-02T14:34:00Z","modifiedAt":"2026-12-02T14:34:00Z"})";

TEST(DocEncoding, TypicalStoredDocumentSize) {
  std::string bytes = enc(kTypicalStored);
  std::string old = old_form(Value(bytes));
  RecordProperty("json_bytes", static_cast<int>(kTypicalStored.size()));
  RecordProperty("encoded_bytes", static_cast<int>(bytes.size()));
  RecordProperty("old_encoded_bytes", static_cast<int>(old.size()));
  std::printf("typical stored document: %zu bytes of JSON, encoded %zu bytes (old format %zu)\n",
              kTypicalStored.size(), bytes.size(), old.size());
  EXPECT_EQ(Value(bytes).tag(), kObject8);
  EXPECT_EQ(Value(bytes).find("address").tag(), kObject8);
  EXPECT_EQ(Value(bytes).find("createdAt").tag(), kStamp);
  EXPECT_LE(bytes.size() + 45, old.size());
  EXPECT_LT(bytes.size(), kTypicalStored.size());
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
  // Through put_double (the cents form where there is one) and as a plain
  // f64 (older data): the same text, the same value.
  auto written = [](double d) {
    std::string bytes, f64(1, static_cast<char>(kDouble));
    put_double(bytes, d);
    f64.append(reinterpret_cast<const char*>(&d), 8);
    std::string text = to_json(Value(bytes));
    EXPECT_EQ(to_json(Value(f64)), text);
    EXPECT_EQ(Value(bytes).size(), bytes.size());
    EXPECT_TRUE(Value(bytes).is_float());
    if (!std::isnan(d)) {
      EXPECT_EQ(std::bit_cast<uint64_t>(Value(bytes).as_double()), std::bit_cast<uint64_t>(d)) << text;
      EXPECT_TRUE(equal(Value(bytes), Value(f64))) << text;
      std::string canonical;
      put_canonical(canonical, Value(f64));
      EXPECT_EQ(canonical, bytes) << text;
    }
    return text;
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

// Timestamp-shaped strings are stored as stamps (format.h) and read back as
// the very same string.
TEST(DocStamp, CanonicalTimestampsRoundTripAsStrings) {
  for (std::string_view text :
       {"2026-12-02T14:34:00Z", "2026-12-02T14:34:00.123Z", "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z",
        "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00.000Z",
        "0000-02-29T12:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z", "2000-02-29T00:00:00Z",
        "2024-02-29T23:59:59.001Z", "1600-02-29T01:02:03Z", "2038-01-19T03:14:08Z", "2106-02-07T06:28:16.000Z"}) {
    std::string bytes = enc(as_json_text(text));
    Value v(bytes);
    ASSERT_EQ(v.tag(), kStamp) << text;
    EXPECT_TRUE(v.is_string());
    EXPECT_EQ(v.type(), Type::kString);
    EXPECT_EQ(v.size(), bytes.size());
    TextBuf buf;
    EXPECT_EQ(v.as_string(buf), text);
    EXPECT_EQ(to_json(v), as_json_text(text));
    if (text >= "1900" && text < "2200") {
      EXPECT_LE(bytes.size(), text.size() == kStampSecondsLen ? 6u : 8u) << text;
    }
    // Inside containers, with and without an injected key.
    std::string doc = enc("{\"t\":" + as_json_text(text) + ",\"a\":[" + as_json_text(text) + ",1]}");
    EXPECT_EQ(to_json(Value(doc)), "{\"a\":[" + as_json_text(text) + ",1],\"t\":" + as_json_text(text) + "}");
    std::string out;
    write_json_with_key(Value(doc), "k", out);
    EXPECT_EQ(out, "{\"_key\":\"k\",\"a\":[" + as_json_text(text) + ",1],\"t\":" + as_json_text(text) + "}");
  }
}

TEST(DocStamp, NearMissesStayPlainStrings) {
  for (std::string_view text :
       {"2026-12-02T14:34:00z", "2026-12-02t14:34:00Z", "2026-12-02T14:34:00+00:00", "2026-12-02T14:34:00",
        "2026-12-02 14:34:00Z", "2026-12-02T14:34:00.12Z", "2026-12-02T14:34:00.1234Z", "2026-12-02T14:34:00,123Z",
        "2026-12-02T14:34Z", "2026-12-02", " 2026-12-02T14:34:00Z", "2026-12-02T14:34:00Z ", "+026-12-02T14:34:00Z",
        "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2100-02-29T00:00:00.000Z",
        "2026-12-02T24:00:00Z", "2026-12-02T23:60:00Z", "2026-12-02T23:59:60Z", "2026-1a-02T14:34:00Z",
        "2026-12-02T14:34:0aZ", "2026-12-02T14:34:00.12aZ", "2026/12/02T14:34:00Z", "2026-12-02T14-34-00Z",
        "10000-01-01T00:00:00Z", "-001-01-01T00:00:00Z", "2026-12-02T14:34:00.123ZZ", "\xef\xbc\x92""026-12-02T14:34Z"}) {
    std::string bytes = enc(as_json_text(text));
    EXPECT_EQ(Value(bytes).tag(), kString) << text;
    EXPECT_EQ(to_json(Value(bytes)), as_json_text(text));
    uint64_t code;
    EXPECT_FALSE(parse_stamp(text, &code)) << text;
  }
}

// Every day of years 0000-9999, against a plain calendar counter: each text
// is recognised, numbered one day after the previous one, and written back.
TEST(DocStamp, EveryDayOfEveryYearRoundTrips) {
  static constexpr int kMonthDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t day = -719528;  // 0000-01-01, in days from 1970-01-01
  char text[32];
  char back[kStampMillisLen];
  for (int y = 0; y <= 9999; ++y) {
    bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    for (int m = 1; m <= 12; ++m) {
      int days = kMonthDays[m - 1] + (m == 2 && leap ? 1 : 0);
      for (int d = 1; d <= days; ++d, ++day) {
        auto spread = [&](int64_t mul, int64_t mod) { return static_cast<int>(((day * mul) % mod + mod) % mod); };
        int h = spread(7, 24), mi = spread(13, 60), s = (d * 7) % 60, ms = spread(1, 1000);
        bool with_ms = day % 2 != 0;
        int n = with_ms ? std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, h, mi, s, ms)
                        : std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, s);
        std::string_view t(text, static_cast<size_t>(n));
        uint64_t code;
        ASSERT_TRUE(parse_stamp(t, &code)) << t;
        int64_t secs = day * 86400 + h * 3600 + mi * 60 + s;
        ASSERT_EQ(code & 1, with_ms ? 1u : 0u);
        ASSERT_EQ(unzigzag(code >> 1), with_ms ? secs * 1000 + ms : secs) << t;
        ASSERT_EQ(std::string_view(back, format_stamp(code, back)), t);
      }
    }
  }
  EXPECT_EQ(day, 2932897);  // 10000-01-01
}

// Any payload (corrupt data) writes a fixed-width text, in bounds.
TEST(DocStamp, AnyPayloadFormatsInBounds) {
  char out[kStampMillisLen];
  for (uint64_t code : {0ull, 1ull, ~0ull, ~0ull - 1, 1ull << 63, (1ull << 63) | 1, 0x5555555555555555ull}) {
    size_t n = format_stamp(code, out);
    EXPECT_EQ(n, code & 1 ? kStampMillisLen : kStampSecondsLen);
    EXPECT_EQ(out[n - 1], 'Z');
  }
}

// Stamps, plain strings with a timestamp's text (older data) and other
// strings order exactly as their texts do, in every comparison.
TEST(DocStamp, OrderIsTheOrderOfTheTexts) {
  std::vector<std::string> texts = {
      "2026-12-02T14:34:00Z", "2026-12-02T14:34:00.000Z", "2026-12-02T14:34:00.001Z", "2026-12-02T14:33:59.999Z",
      "2026-12-02T14:34:01Z", "2026-12-02T14:34:00z",     "2026-12-02T14:34:00",      "2026-12-02",
      "2026-12-02T14:34:00.5Z", "1969-12-31T23:59:59Z",   "1970-01-01T00:00:00Z",     "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999Z", "2026-12-02T14:34:00ZZ", "", "a", "2027",          "2026-12-02T14:34:00Z!"};
  std::vector<std::string> encoded;
  for (const std::string& t : texts) {
    encoded.push_back(enc(as_json_text(t)));
    encoded.push_back(old_form(Value(encoded.back())));
  }
  auto sign = [](int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); };
  for (const std::string& a : encoded) {
    for (const std::string& b : encoded) {
      TextBuf ba, bb;
      std::string_view ta = Value(a).as_string(ba), tb = Value(b).as_string(bb);
      int want = sign(ta.compare(tb));
      ASSERT_EQ(total_order(Value(a), Value(b)), want) << ta << " vs " << tb;
      ASSERT_EQ(query::sort_compare(Value(a), Value(b)), want) << ta << " vs " << tb;
      ASSERT_EQ(equal(Value(a), Value(b)), want == 0) << ta << " vs " << tb;
    }
  }
}

// Objects take the narrowest offset table their entries allow: u8 up to 255
// bytes of entries, u16 up to 65535, else u32.
TEST(DocEncoding, OffsetTableWidthBoundaries) {
  // {"a":"x…x"}: an entry of key length, key, tag, string length and text.
  for (auto [entries, tag] : {std::pair<size_t, uint8_t>{200, kObject8}, {255, kObject8}, {256, kObject16},
                              {65535, kObject16}, {65536, kObject32}, {70000, kObject32}}) {
    size_t text = entries - 3;
    while (3 + varint_size(text) + text > entries) --text;
    ASSERT_EQ(3 + varint_size(text) + text, entries);
    std::string bytes = enc("{\"a\":\"" + std::string(text, 'x') + "\"}");
    Value v(bytes);
    EXPECT_EQ(v.tag(), tag) << entries;
    EXPECT_TRUE(v.is_object());
    EXPECT_EQ(v.size(), bytes.size());
    size_t payload = 1 + offset_width(tag) + entries;  // count, table, entries
    EXPECT_EQ(bytes.size(), 1 + varint_size(payload) + payload) << entries;
    EXPECT_EQ(to_json(v).size(), text + 8) << entries;
    EXPECT_EQ(v.find("a").size(), entries - 2);
  }
  // Many fields around each boundary: every key found, every value read.
  for (size_t target : {250u, 255u, 256u, 260u, 65530u, 65535u, 65536u, 65540u}) {
    size_t n = target < 1000 ? 10 : 40;
    std::vector<std::string> keys, values;
    size_t total = 0;
    for (size_t i = 0; i + 1 < n; ++i) {
      keys.push_back("k" + std::to_string(10 + i));
      values.emplace_back();
      put_string(values.back(), std::string(5, static_cast<char>('a' + i % 26)));
      total += 1 + keys.back().size() + values.back().size();
    }
    // The last field takes the rest exactly: a key of 3 or 4 bytes, a string.
    size_t rest = target - total;
    for (std::string key : {"k99", "k99x"}) {
      for (size_t len = 0; len < rest && keys.size() < n; ++len) {
        if (1 + key.size() + 1 + varint_size(len) + len != rest) continue;
        keys.push_back(key);
        values.emplace_back();
        put_string(values.back(), std::string(len, 'z'));
        total += rest;
      }
    }
    ASSERT_EQ(keys.size(), n) << target;
    std::vector<Field> fields;
    for (size_t i = 0; i < n; ++i) fields.push_back({keys[i], values[i]});
    std::string bytes;
    put_object(bytes, fields);
    Value v(bytes);
    uint8_t want = total <= 0xff ? kObject8 : (total <= 0xffff ? kObject16 : kObject32);
    EXPECT_EQ(total, target);
    EXPECT_EQ(v.tag(), want) << total;
    EXPECT_EQ(v.count(), n);
    for (size_t i = 0; i < n; ++i) {
      uint32_t hint = static_cast<uint32_t>((i + 3) % n);
      EXPECT_EQ(v.find(keys[i]).bytes(), values[i]);
      EXPECT_EQ(v.find(keys[i], &hint).bytes(), values[i]);
      EXPECT_EQ(hint, i);
      EXPECT_EQ(v.key_at(i), keys[i]);
      EXPECT_EQ(v.value_at(i).bytes(), values[i]);
    }
    EXPECT_FALSE(v.find("k0").valid());
    EXPECT_EQ(Value(enc(to_json(v))).bytes(), bytes);
  }
}

// Documents stored before stamps and u8 tables (snapshots, logs) read, print,
// compare and look up exactly as their re-encoding does.
TEST(DocEncoding, ReadsTheOlderEncoding) {
  std::string json = std::string(kTypicalStored);
  std::string now = enc(json);
  std::string old = old_form(Value(now));
  ASSERT_EQ(Value(old).tag(), kObject16);
  ASSERT_EQ(Value(old).find("createdAt").tag(), kString);
  EXPECT_EQ(to_json(Value(old)), to_json(Value(now)));
  EXPECT_EQ(Value(old).size(), old.size());
  EXPECT_TRUE(equal(Value(old), Value(now)));
  EXPECT_EQ(total_order(Value(old), Value(now)), 0);
  EXPECT_EQ(lookup(Value(old), "address.zip").bytes(), lookup(Value(now), "address.zip").bytes());
  TextBuf a, b;
  EXPECT_EQ(Value(old).find("createdAt").as_string(a), Value(now).find("createdAt").as_string(b));
  std::string canonical;
  put_canonical(canonical, Value(old));
  EXPECT_EQ(canonical, now);
  // Editing an old document writes the new form.
  ObjectEditor editor{Value(old)};
  editor.set("age", enc("48"));
  std::string edited = editor.build();
  EXPECT_EQ(Value(edited).tag(), kObject8);
  EXPECT_EQ(to_json(Value(edited)), to_json(Value(enc(json.replace(json.find("47"), 2, "48")))));
}

// Doubles with one or two decimals take 2-8 bytes instead of 9; integral
// doubles and everything else keep the f64 form.
TEST(DocEncoding, CentsForm) {
  struct Case {
    const char* json;
    uint8_t tag;
  };
  for (Case c : {Case{"1.5", kCents}, {"0.1", kCents}, {"-0.01", kCents}, {"5123.47", kCents}, {"100.5", kCents},
                 {"999999999999.99", kCents}, {"-999999999999.99", kCents}, {"1.0", kDouble}, {"0.0", kDouble},
                 {"-0.0", kDouble}, {"100.0", kDouble}, {"1e21", kDouble}, {"0.001", kDouble}, {"2.675", kDouble},
                 {"0.333", kDouble}, {"1e12", kDouble}, {"10000000000000.5", kDouble}}) {
    std::string bytes = enc(c.json);
    Value v(bytes);
    EXPECT_EQ(v.tag(), c.tag) << c.json;
    EXPECT_TRUE(v.is_number() && v.is_float()) << c.json;
    EXPECT_EQ(v.type(), Type::kNumber);
    EXPECT_EQ(round_trip(c.json), c.json);
  }
  EXPECT_EQ(enc("5123.47").size(), 4u);
  EXPECT_EQ(enc("0.5").size(), 2u);
  EXPECT_FALSE(equal(Value(enc("1.5")), Value(enc("1"))));
  EXPECT_TRUE(equal(Value(enc("1.5")), Value(enc("1.50"))));
  EXPECT_LT(total_order(Value(enc("1.49")), Value(enc("1.5"))), 0);
  EXPECT_LT(total_order(Value(enc("1")), Value(enc("1.01"))), 0);
  EXPECT_GT(total_order(Value(enc("2.5")), Value(enc("2"))), 0);
  EXPECT_EQ(query::sort_compare(Value(enc("2.5")), Value(enc("2.50"))), 0);
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
