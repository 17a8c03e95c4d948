#include "doc/json_writer.h"

#include "doc/json_sink.h"
#include "doc/timestamp.h"

#include <charconv>
#include <cstring>

namespace kiln::doc {
namespace {

using Sink = JsonSink;

// Which bytes need escaping in a JSON string: '"', '\\' and controls.
struct EscapeTable {
  bool needs[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) needs[c] = true;
    needs[static_cast<unsigned char>('"')] = true;
    needs[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapeTable kEscape;

// True if any of the 8 bytes in w is a control byte, '"' or '\\'.
inline bool word_needs_escape(uint64_t w) {
  constexpr uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  auto has_zero = [&](uint64_t x) { return (x - ones) & ~x & highs; };
  uint64_t below_space = (w - ones * 0x20) & ~w & highs;
  return below_space | has_zero(w ^ (ones * '"')) | has_zero(w ^ (ones * '\\'));
}

// Loads / stores of fixed size compile to single moves (no libc call).
inline uint64_t load8(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline uint32_t load4(const char* p) {
  uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
// Writes src[0, n) escaped byte by byte, then the closing quote; returns the
// end. The rare path: a string with a quote, backslash or control byte.
[[gnu::noinline]] char* write_escaped(char* dst, const char* src, size_t n) {
  static const char* hex = "0123456789abcdef";
  for (const char* end = src + n; src < end; ++src) {
    auto c = static_cast<unsigned char>(*src);
    if (!kEscape.needs[c]) {
      *dst++ = static_cast<char>(c);
      continue;
    }
    *dst++ = '\\';
    switch (c) {
      case '"': *dst++ = '"'; break;
      case '\\': *dst++ = '\\'; break;
      case '\n': *dst++ = 'n'; break;
      case '\r': *dst++ = 'r'; break;
      case '\t': *dst++ = 't'; break;
      case '\b': *dst++ = 'b'; break;
      case '\f': *dst++ = 'f'; break;
      default:
        *dst++ = 'u';
        *dst++ = '0';
        *dst++ = '0';
        *dst++ = hex[c >> 4];
        *dst++ = hex[c & 15];
    }
  }
  *dst++ = '"';
  return dst;
}

// Room write_quoted may need: every byte as \u00XX, plus the quotes.
inline size_t quoted_room(std::string_view s) { return s.size() * 6 + 2; }

// Writes s quoted and escaped at dst (quoted_room(s) bytes available);
// returns the end. Most strings need no escaping: they are checked and
// copied in whole words, with overlapping loads for the last partial word
// so that no byte outside s is read.
char* write_quoted(char* dst, std::string_view s) {
  *dst++ = '"';
  const char* src = s.data();
  size_t n = s.size();
  if (n >= 8) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w = load8(src + i);
      if (word_needs_escape(w)) return write_escaped(dst + i, src + i, n - i);
      std::memcpy(dst + i, &w, 8);
    }
    if (i < n) {
      uint64_t w = load8(src + n - 8);
      if (word_needs_escape(w)) return write_escaped(dst + i, src + i, n - i);
      std::memcpy(dst + n - 8, &w, 8);
    }
  } else if (n >= 4) {
    uint32_t lo = load4(src), hi = load4(src + n - 4);
    if (word_needs_escape(lo | uint64_t{hi} << 32)) return write_escaped(dst, src, n);
    std::memcpy(dst, &lo, 4);
    std::memcpy(dst + n - 4, &hi, 4);
  } else if (n > 0) {
    // First, middle and last byte cover 1 to 3 bytes; spaces fill the word.
    auto first = static_cast<uint8_t>(src[0]), mid = static_cast<uint8_t>(src[n / 2]),
         last = static_cast<uint8_t>(src[n - 1]);
    uint64_t w = 0x2020202020000000ull | first | uint64_t{mid} << 8 | uint64_t{last} << 16;
    if (word_needs_escape(w)) return write_escaped(dst, src, n);
    dst[0] = static_cast<char>(first);
    dst[n / 2] = static_cast<char>(mid);
    dst[n - 1] = static_cast<char>(last);
  }
  dst += n;
  *dst++ = '"';
  return dst;
}

void put_string(Sink& sink, std::string_view s) { sink.commit(write_quoted(sink.room(quoted_room(s)), s)); }

// Doubles with one or two decimals (prices, scores; the cents form of
// format.h) are most of the stored ones: written as integer part + cents,
// exactly what to_chars prints for them. Why it is exact: k / 100.0 is the
// double nearest the decimal k/100, so that decimal round-trips; below 1e12
// the doubles are less than 0.001 apart, so no decimal with fewer digits
// reaches the same double; and with a nonzero last decimal the fixed form is
// always shorter than the exponent form, which to_chars would otherwise pick
// (cents_of leaves out the multiples of 100: integers, "1e+05").
void put_cents(Sink& sink, int64_t k) {
  char* dst = sink.room(24);
  char* const start = dst;
  if (k < 0) {
    *dst++ = '-';
    k = -k;
  }
  auto [end, ec] = std::to_chars(dst, dst + 20, k / 100);
  dst = end;
  int cents = static_cast<int>(k % 100);
  *dst++ = '.';
  *dst++ = static_cast<char>('0' + cents / 10);
  if (cents % 10) *dst++ = static_cast<char>('0' + cents % 10);
  sink.advance(static_cast<size_t>(dst - start));
}

void put_double(Sink& sink, double d) {
  int64_t cents;
  if (cents_of(d, &cents)) {  // stored before the cents form existed
    put_cents(sink, cents);
    return;
  }
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<size_t>(end - buf));
  size_t e = text.find('e');
  if (e != std::string_view::npos) {
    // "1e+21" -> "1e21": the exponent form serde_json prints.
    sink.put(text.substr(0, e + 1));
    std::string_view exp = text.substr(e + 1);
    if (!exp.empty() && exp.front() == '+') exp.remove_prefix(1);
    sink.put(exp);
    return;
  }
  sink.put(text);
  // A float stays a float: 1.0 is written "1.0", not "1".
  if (text.find('.') == std::string_view::npos) sink.put(".0");
}

template <typename Int>
void put_integer(Sink& sink, Int v) {
  char* dst = sink.room(24);
  auto [end, ec] = std::to_chars(dst, dst + 24, v);
  sink.advance(static_cast<size_t>(end - dst));
}

// A stamp's text, quoted: digits and separators only, nothing to escape.
void put_stamp(Sink& sink, uint64_t code) {
  JsonSink::StampMemo& memo = sink.stamp_memo();
  if (memo.code != code || memo.len == 0) {
    memo.code = code;
    memo.len = format_stamp(code, memo.text);
  }
  char* dst = sink.room(kStampMillisLen + 2);
  *dst = '"';
  std::memcpy(dst + 1, memo.text, kStampMillisLen);  // fixed size: one move
  dst[memo.len + 1] = '"';
  sink.advance(memo.len + 2);
}

// The writers below decode the encoding (format.h) themselves and return
// where the value they wrote ends: a container then walks its members
// without measuring each one a second time.
const uint8_t* put_value(Sink& sink, const uint8_t* p);

// `,"key":` (no comma before the first member), in one reservation.
void put_member_name(Sink& sink, bool& first, std::string_view key) {
  char* dst = sink.room(quoted_room(key) + 2);
  if (!first) *dst++ = ',';
  first = false;
  dst = write_quoted(dst, key);
  *dst++ = ':';
  sink.commit(dst);
}

const uint8_t* put_object(Sink& sink, const uint8_t* p, const std::string_view* inject_key) {
  unsigned width = offset_width(*p++);
  uint64_t payload = get_varint(p);
  const uint8_t* end = p + payload;
  auto count = static_cast<size_t>(get_varint(p));
  p += count * width;  // the offset table: not needed in order
  sink.put('{');
  bool first = true;
  bool inject = inject_key != nullptr;
  for (size_t i = 0; i < count; ++i) {
    auto len = static_cast<size_t>(get_varint(p));
    std::string_view key(reinterpret_cast<const char*>(p), len);
    p += len;
    if (inject) {
      if (key == "_key") {  // replaced by the injected one
        p = Value(p).next().data();
        continue;
      }
      if (key > "_key") {
        put_member_name(sink, first, "_key");
        put_string(sink, *inject_key);
        inject = false;
      }
    }
    put_member_name(sink, first, key);
    p = put_value(sink, p);
  }
  if (inject) {
    put_member_name(sink, first, "_key");
    put_string(sink, *inject_key);
  }
  sink.put('}');
  return end;
}

const uint8_t* put_value(Sink& sink, const uint8_t* p) {
  switch (*p) {
    case kNull: sink.put("null"); return p + 1;
    case kFalse: sink.put("false"); return p + 1;
    case kTrue: sink.put("true"); return p + 1;
    case kInt: {
      ++p;
      put_integer(sink, unzigzag(get_varint(p)));
      return p;
    }
    case kUint: {
      uint64_t u;
      std::memcpy(&u, p + 1, 8);
      put_integer(sink, u);
      return p + 9;
    }
    case kDouble: {
      double d;
      std::memcpy(&d, p + 1, 8);
      put_double(sink, d);
      return p + 9;
    }
    case kString: {
      ++p;
      auto len = static_cast<size_t>(get_varint(p));
      put_string(sink, {reinterpret_cast<const char*>(p), len});
      return p + len;
    }
    case kCents: {
      ++p;
      put_cents(sink, unzigzag(get_varint(p)));
      return p;
    }
    case kStamp: {
      ++p;
      put_stamp(sink, get_varint(p));
      return p;
    }
    case kArray: {
      ++p;
      uint64_t payload = get_varint(p);
      const uint8_t* end = p + payload;
      auto count = static_cast<size_t>(get_varint(p));
      sink.put('[');
      for (size_t i = 0; i < count; ++i) {
        if (i) sink.put(',');
        p = put_value(sink, p);
      }
      sink.put(']');
      return end;
    }
    default: return put_object(sink, p, nullptr);
  }
}

}  // namespace

void put_json_string(JsonSink& sink, std::string_view s) { put_string(sink, s); }
void put_json_member(JsonSink& sink, bool& first, std::string_view key) { put_member_name(sink, first, key); }
void put_json_value(JsonSink& sink, Value v) { put_value(sink, v.data()); }

// A document's JSON is rarely more than twice its encoding.
size_t json_size_hint(Value v) { return v.size() * 2 + 32; }

void write_json_string(std::string_view s, std::string& out) {
  Sink sink(out, s.size() + 2);
  put_string(sink, s);
}

void write_json(Value v, std::string& out) {
  Sink sink(out, json_size_hint(v));
  put_value(sink, v.data());
}

void write_json_with_key(Value v, std::string_view key, std::string& out) {
  Sink sink(out, json_size_hint(v) + key.size() + 10);
  if (v.is_object()) {
    put_object(sink, v.data(), &key);
  } else {
    put_value(sink, v.data());
  }
}

}  // namespace kiln::doc
