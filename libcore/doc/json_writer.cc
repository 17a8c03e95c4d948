#include "doc/json_writer.h"

#include <charconv>
#include <cstring>

namespace kiln::doc {
namespace {

// Appends to a std::string through a raw pointer: the string is grown ahead
// (amortized doubling) and trimmed once at the end, so the per-byte cost is a
// store, not push_back's capacity and SSO checks.
class Sink {
 public:
  // hint: the expected output size, allocated (and zeroed) once up front.
  Sink(std::string& out, size_t hint) : out_(out), pos_(out.size()) { out_.resize(pos_ + hint); }
  ~Sink() { out_.resize(pos_); }

  char* room(size_t n) {
    if (pos_ + n > out_.size()) {
      // Capacity doubles; the size grows only a little past what is needed,
      // since resize() zero-fills and ~Sink trims back: doubling the size
      // made a call on a large buffer cost the buffer's length.
      size_t want = pos_ + n + 256;
      if (want > out_.capacity()) out_.reserve(std::max(out_.capacity() * 2, want));
      out_.resize(want);
    }
    return out_.data() + pos_;
  }
  void advance(size_t n) { pos_ += n; }
  void put(char c) {
    *room(1) = c;
    ++pos_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    pos_ += s.size();
  }

 private:
  std::string& out_;
  size_t pos_;
};

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
inline uint64_t spaces_or(uint32_t w) { return 0x2020202000000000ull | w; }

// Copies the last `n` (< 8) bytes of a clean string if none needs escaping,
// using overlapping fixed-size moves that stay inside [src, src + n).
// Returns false (copying nothing) if one does.
inline bool copy_clean_tail(const char* src, size_t n, char*& dst) {
  if (n >= 4) {
    uint32_t lo = load4(src), hi = load4(src + n - 4);
    if (word_needs_escape(spaces_or(lo)) || word_needs_escape(spaces_or(hi))) return false;
    std::memcpy(dst, &lo, 4);
    std::memcpy(dst + n - 4, &hi, 4);
  } else {
    for (size_t i = 0; i < n; ++i) {
      if (kEscape.needs[static_cast<unsigned char>(src[i])]) return false;
    }
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
  dst += n;
  return true;
}

void put_string(Sink& sink, std::string_view s) {
  // Worst case every byte becomes \u00XX.
  char* dst = sink.room(s.size() * 6 + 2);
  char* const start = dst;
  *dst++ = '"';
  const char* src = s.data();
  const char* end = src + s.size();
  while (src < end) {
    // Copy clean 8-byte words at a time: most strings have nothing to escape.
    while (end - src >= 8) {
      uint64_t w = load8(src);
      if (word_needs_escape(w)) break;
      std::memcpy(dst, &w, 8);
      src += 8;
      dst += 8;
    }
    size_t tail = static_cast<size_t>(end - src);
    if (tail == 0) break;
    if (tail < 8 && copy_clean_tail(src, tail, dst)) break;
    unsigned char c = static_cast<unsigned char>(*src++);
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
      default: {
        static const char* hex = "0123456789abcdef";
        *dst++ = 'u';
        *dst++ = '0';
        *dst++ = '0';
        *dst++ = hex[c >> 4];
        *dst++ = hex[c & 15];
      }
    }
  }
  *dst++ = '"';
  sink.advance(static_cast<size_t>(dst - start));
}

void put_double(Sink& sink, double d) {
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

void put_value(Sink& sink, Value v);

void put_member_name(Sink& sink, bool& first, std::string_view key) {
  if (!first) sink.put(',');
  first = false;
  put_string(sink, key);
  sink.put(':');
}

void put_object(Sink& sink, Value v, const std::string_view* inject_key) {
  sink.put('{');
  bool first = true;
  bool inject = inject_key != nullptr;
  v.for_each_field([&](std::string_view key, Value field) {
    if (inject) {
      if (key == "_key") return;  // replaced by the injected one
      if (key > "_key") {
        put_member_name(sink, first, "_key");
        put_string(sink, *inject_key);
        inject = false;
      }
    }
    put_member_name(sink, first, key);
    put_value(sink, field);
  });
  if (inject) {
    put_member_name(sink, first, "_key");
    put_string(sink, *inject_key);
  }
  sink.put('}');
}

void put_value(Sink& sink, Value v) {
  switch (v.tag()) {
    case kNull: sink.put("null"); break;
    case kFalse: sink.put("false"); break;
    case kTrue: sink.put("true"); break;
    case kInt: put_integer(sink, v.as_int()); break;
    case kUint: put_integer(sink, v.as_uint()); break;
    case kDouble: put_double(sink, v.as_double()); break;
    case kString: put_string(sink, v.as_string()); break;
    case kArray: {
      sink.put('[');
      size_t n = v.count();
      Value e = v.first_element();
      for (size_t i = 0; i < n; ++i, e = e.next()) {
        if (i) sink.put(',');
        put_value(sink, e);
      }
      sink.put(']');
      break;
    }
    default: put_object(sink, v, nullptr); break;
  }
}

}  // namespace

// A document's JSON is rarely more than twice its encoding.
size_t json_size_hint(Value v) { return v.size() * 2 + 32; }

void write_json_string(std::string_view s, std::string& out) {
  Sink sink(out, s.size() + 2);
  put_string(sink, s);
}

void write_json(Value v, std::string& out) {
  Sink sink(out, json_size_hint(v));
  put_value(sink, v);
}

void write_json_with_key(Value v, std::string_view key, std::string& out) {
  Sink sink(out, json_size_hint(v) + key.size() + 10);
  if (v.is_object()) {
    put_object(sink, v, &key);
  } else {
    put_value(sink, v);
  }
}

}  // namespace kiln::doc
