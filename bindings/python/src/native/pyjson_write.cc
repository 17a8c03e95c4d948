// Python object -> JSON text. A single recursive walk over the CPython
// objects, writing into one std::string through raw pointers (no per-byte
// push_back); no Python code is ever called.
#include "pyjson.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "pybuild.h"

namespace kilnpy {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// The output: the caller's string used as a growable byte buffer. room(n)
// makes n bytes writable at the end; the writer then moves the end past what
// it wrote. The string gets its real length back when the Out goes away.
class Out {
 public:
  explicit Out(std::string &s) : s_(s), len_(s.size()) {}
  ~Out() { s_.resize(len_); }
  Out(const Out &) = delete;
  Out &operator=(const Out &) = delete;

  char *room(size_t n) {
    if (s_.size() - len_ < n) s_.resize(std::max(s_.size() * 2, len_ + n + 256));
    return s_.data() + len_;
  }
  void end_at(const char *end) { len_ = static_cast<size_t>(end - s_.data()); }
  void put(char c) { put(std::string_view(&c, 1)); }
  void put(std::string_view text) {
    std::memcpy(room(text.size()), text.data(), text.size());
    len_ += text.size();
  }

 private:
  std::string &s_;
  size_t len_;
};

// How each byte is written inside a JSON string: 0 as itself, else after a
// backslash as this letter ('u': as \u00XX). Controls, '"' and '\\'.
struct Escapes {
  char code[256] = {};
  constexpr Escapes() {
    for (int c = 0; c < 0x20; ++c) code[c] = 'u';
    for (auto [c, letter] : {std::pair{'"', '"'}, {'\\', '\\'}, {'\n', 'n'}, {'\r', 'r'}, {'\t', 't'}, {'\b', 'b'}, {'\f', 'f'}}) {
      code[static_cast<unsigned char>(c)] = letter;
    }
  }
};
constexpr Escapes kEscapes;

// True if one of the 8 bytes of w is below 0x20, '"' or '\\' (the classic
// "has a zero byte" test on w itself, w ^ '"' and w ^ '\\').
inline bool word_needs_escape(uint64_t w) {
  constexpr uint64_t lo = 0x0101010101010101ull, hi = 0x8080808080808080ull;
  uint64_t quote = w ^ (lo * '"'), backslash = w ^ (lo * '\\');
  return (((w - lo * 0x20) & ~w) | ((quote - lo) & ~quote) | ((backslash - lo) & ~backslash)) & hi;
}

// Writes s[0, len) quoted and escaped at dst, which has room for 6 * len + 2
// bytes; returns the end. Clean 8-byte words are copied whole.
char *write_quoted(char *dst, const char *s, size_t len) {
  *dst++ = '"';
  size_t i = 0;
  if (len >= 4 && len < 8) {
    // Most member names: two overlapping 4-byte words cover them.
    uint32_t a, b;
    std::memcpy(&a, s, 4);
    std::memcpy(&b, s + len - 4, 4);
    if (!word_needs_escape(a | uint64_t{b} << 32)) {
      std::memcpy(dst, &a, 4);
      std::memcpy(dst + len - 4, &b, 4);
      dst += len;
      *dst++ = '"';
      return dst;
    }
  }
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    std::memcpy(&w, s + i, 8);
    if (word_needs_escape(w)) break;
    std::memcpy(dst + i, &w, 8);
  }
  if (i + 8 > len && i >= 8 && i < len) {
    // No escape so far; the last partial word as the 8 bytes ending at len.
    uint64_t w;
    std::memcpy(&w, s + len - 8, 8);
    if (!word_needs_escape(w)) {
      std::memcpy(dst + len - 8, &w, 8);
      dst += len;
      *dst++ = '"';
      return dst;
    }
  }
  dst += i;
  for (; i < len; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    char code = kEscapes.code[c];
    if (code == 0) {
      *dst++ = static_cast<char>(c);
      continue;
    }
    *dst++ = '\\';
    *dst++ = code;
    if (code == 'u') {  // \u00XX
      *dst++ = '0';
      *dst++ = '0';
      *dst++ = kHex[c >> 4];
      *dst++ = kHex[c & 15];
    }
  }
  *dst++ = '"';
  return dst;
}

void put_quoted(Out &out, const char *s, size_t len) { out.end_at(write_quoted(out.room(6 * len + 2), s, len)); }

template <class Int>
void put_integer(Out &out, Int v) {
  char *dst = out.room(24);
  out.end_at(std::to_chars(dst, dst + 24, v).ptr);
}

bool write_value(PyObject *obj, Out &out);

// Writes v as "<digits>.<k digits>" when some k <= 3 gives an integer r
// with r / 10^k == v (scores, prices, rounded measurements): that text
// parses back to v exactly (r and 10^k are exact doubles and the division
// rounds like a correct parser does), and it is ~10x cheaper than the
// shortest-digits search of to_chars. False (nothing written) otherwise.
bool put_short_decimal(Out &out, double v) {
  constexpr double kScale[] = {1, 10, 100, 1000};
  // Below 1e12, r stays below 1e15 < 2^53: an exact integer. 0 is left to
  // to_chars, which keeps -0.0's sign.
  if (v == 0 || !(std::fabs(v) < 1e12)) return false;
  for (int k = 0; k < 4; ++k) {
    double r = std::nearbyint(v * kScale[k]);
    if (r / kScale[k] != v) continue;
    auto digits = static_cast<int64_t>(std::fabs(r));
    char text[24];
    char *end = std::to_chars(text, text + sizeof text, digits).ptr;
    auto n = static_cast<int>(end - text);
    char *dst = out.room(32);
    char *p = dst;
    if (r < 0) *p++ = '-';
    if (k == 0) {
      p = std::copy(text, end, p);
      *p++ = '.';
      *p++ = '0';
    } else if (n > k) {
      p = std::copy(text, end - k, p);
      *p++ = '.';
      p = std::copy(end - k, end, p);
    } else {  // 0.00d
      *p++ = '0';
      *p++ = '.';
      p = std::fill_n(p, k - n, '0');
      p = std::copy(text, end, p);
    }
    out.end_at(p);
    return true;
  }
  return false;
}

bool write_float(PyObject *obj, Out &out) {
  double v = PyFloat_AS_DOUBLE(obj);
  if (!std::isfinite(v)) {
    PyErr_Format(PyExc_ValueError, "Out of range float values are not JSON compliant: %R", obj);
    return false;
  }
  if (put_short_decimal(out, v)) return true;
  char *dst = out.room(32);
  char *end = std::to_chars(dst, dst + 30, v).ptr;
  // Keep it a float on the way back: 1.0 must not come back as the int 1.
  std::string_view text(dst, static_cast<size_t>(end - dst));
  if (text.find_first_of(".e") == std::string_view::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  out.end_at(end);
  return true;
}

bool write_int(PyObject *obj, Out &out) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
  if (v == -1 && PyErr_Occurred()) return false;
  if (overflow == 0) {
    put_integer(out, v);
    return true;
  }
  if (overflow > 0) {
    unsigned long long u = PyLong_AsUnsignedLongLong(obj);
    if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
      put_integer(out, u);
      return true;
    }
    PyErr_Clear();
  }
  // Beyond 64 bits: write the exact digits and let the engine judge them.
  // PyNumber_ToBase never runs a subclass's __str__.
  PyObject *digits = PyNumber_ToBase(obj, 10);
  if (digits == nullptr) return false;
  Py_ssize_t len = 0;
  const char *s = PyUnicode_AsUTF8AndSize(digits, &len);
  if (s != nullptr) out.put({s, static_cast<size_t>(len)});
  Py_DECREF(digits);
  return s != nullptr;
}

bool write_str(PyObject *obj, Out &out) {
  Py_ssize_t len = 0;
  const char *s = utf8_of(obj, &len);
  if (s == nullptr) return false;
  put_quoted(out, s, static_cast<size_t>(len));
  return true;
}

bool write_dict(PyObject *obj, Out &out) {
  out.put('{');
  Py_ssize_t pos = 0;
  PyObject *key = nullptr;
  PyObject *value = nullptr;
  bool first = true;
  while (PyDict_Next(obj, &pos, &key, &value)) {
    if (!PyUnicode_Check(key)) {
      PyErr_Format(PyExc_TypeError, "JSON object keys must be str, not %.100s", Py_TYPE(key)->tp_name);
      return false;
    }
    Py_ssize_t len = 0;
    const char *s = utf8_of(key, &len);
    if (s == nullptr) return false;
    // `,"key":` in one reservation.
    char *dst = out.room(6 * static_cast<size_t>(len) + 4);
    if (!first) *dst++ = ',';
    first = false;
    dst = write_quoted(dst, s, static_cast<size_t>(len));
    *dst++ = ':';
    out.end_at(dst);
    if (!write_value(value, out)) return false;
  }
  out.put('}');
  return true;
}

bool write_sequence(PyObject *obj, Out &out) {
  // PySequence_Fast on a list or tuple returns the object itself.
  Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
  PyObject **items = PySequence_Fast_ITEMS(obj);
  out.put('[');
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (i) out.put(',');
    if (!write_value(items[i], out)) return false;
  }
  out.put(']');
  return true;
}

bool write_container(PyObject *obj, Out &out, bool is_dict) {
  if (Py_EnterRecursiveCall(" while converting a Python object to JSON")) return false;
  bool ok = is_dict ? write_dict(obj, out) : write_sequence(obj, out);
  Py_LeaveRecursiveCall();
  return ok;
}

bool write_value(PyObject *obj, Out &out) {
  if (PyUnicode_Check(obj)) return write_str(obj, out);
  if (obj == Py_None) { out.put("null"); return true; }
  if (obj == Py_True) { out.put("true"); return true; }
  if (obj == Py_False) { out.put("false"); return true; }
  if (PyLong_Check(obj)) return write_int(obj, out);
  if (PyFloat_Check(obj)) return write_float(obj, out);
  if (PyDict_Check(obj)) return write_container(obj, out, true);
  if (PyList_Check(obj) || PyTuple_Check(obj)) return write_container(obj, out, false);
  PyErr_Format(PyExc_TypeError, "Object of type %.100s is not JSON serializable", Py_TYPE(obj)->tp_name);
  return false;
}

}  // namespace

void write_json_string(const char *s, size_t len, std::string &out) {
  Out o(out);
  put_quoted(o, s, len);
}

bool write_json(PyObject *obj, std::string &out) {
  Out o(out);
  return write_value(obj, o);
}

}  // namespace kilnpy
