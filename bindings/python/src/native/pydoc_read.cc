// The document encoding -> Python objects, in one forward pass over the
// bytes. Every read is bounds-checked and every container's payload length
// is checked against what its members took, so a damaged buffer becomes an
// InternalError instead of a crash or a wrong value.
//
// Adding a tag (a new encoding version) is a local change: an enumerator in
// Tag, a case in Decoder::value() (plus a reader method if the payload is
// new), and kDecoderEncodingVersion in pydoc.h.
#include "pydoc.h"

#include <kiln.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "pybuild.h"

namespace kilnpy {

void set_status_error(int32_t status, const std::string &message);  // module.cc

namespace {

// The tags of encoding version 1, as docs/document_format.md lists them.
enum Tag : uint8_t {
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kInt = 0x03,       // zigzag varint
  kUint = 0x04,      // u64 little-endian, only above INT64_MAX
  kDouble = 0x05,    // f64 little-endian
  kString = 0x06,    // varint length, UTF-8 bytes
  kArray = 0x07,     // varint payload length, varint count, values
  kObject16 = 0x08,  // varint payload length, varint count, u16 offsets, entries
  kObject32 = 0x09,  // ... with u32 offsets
  kObject8 = 0x0a,   // ... with u8 offsets
  kStamp = 0x0b,     // varint(zigzag(t) << 1 | ms): an ISO-8601 UTC timestamp string
  kCents = 0x0c,     // zigzag varint k: the double k / 100.0
};

int64_t unzigzag(uint64_t z) { return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1); }

// Floor division and its remainder (timestamps before 1970 are negative).
int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

// Writes n decimal digits of v at p (v < 10^n).
char *put_digits(char *p, unsigned v, int n) {
  for (int i = n - 1; i >= 0; --i, v /= 10) p[i] = static_cast<char>('0' + v % 10);
  return p + n;
}

// The text of a stamp: seconds (or milliseconds when `ms`) since
// 1970-01-01T00:00:00Z as "YYYY-MM-DDTHH:MM:SS[.sss]Z". Returns its length,
// or 0 when the year is outside 0000-9999 (not a valid stamp).
size_t format_stamp(int64_t t, bool ms, char *out) {
  int64_t millis = 0;
  if (ms) {
    int64_t seconds = floor_div(t, 1000);
    millis = t - seconds * 1000;
    t = seconds;
  }
  int64_t days = floor_div(t, 86400);
  int64_t second_of_day = t - days * 86400;
  // Civil date from a day count: shift the epoch to 0000-03-01 so that leap
  // days fall at the end of each (March-based) year, then split into 400-year
  // eras of 146097 days, years of the era, and the month by a linear formula.
  int64_t from_march = days + 719468;
  int64_t era = floor_div(from_march, 146097);
  auto day_of_era = static_cast<unsigned>(from_march - era * 146097);
  unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  unsigned month_index = (5 * day_of_year + 2) / 153;  // 0 = March
  unsigned day = day_of_year - (153 * month_index + 2) / 5 + 1;
  unsigned month = month_index < 10 ? month_index + 3 : month_index - 9;
  int64_t year = era * 400 + year_of_era + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return 0;
  char *p = put_digits(out, static_cast<unsigned>(year), 4);
  *p++ = '-';
  p = put_digits(p, month, 2);
  *p++ = '-';
  p = put_digits(p, day, 2);
  *p++ = 'T';
  auto sod = static_cast<unsigned>(second_of_day);
  p = put_digits(p, sod / 3600, 2);
  *p++ = ':';
  p = put_digits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = put_digits(p, sod % 60, 2);
  if (ms) {
    *p++ = '.';
    p = put_digits(p, static_cast<unsigned>(millis), 3);
  }
  *p++ = 'Z';
  return static_cast<size_t>(p - out);
}

class Decoder {
 public:
  Decoder(const uint8_t *data, size_t len) : begin_(data), p_(data), end_(data + len) {}
  ~Decoder() { Py_XDECREF(last_stamp_); }
  Decoder(const Decoder &) = delete;
  Decoder &operator=(const Decoder &) = delete;

  PyObject *document() {
    PyObject *v = value();
    if (v != nullptr && p_ != end_) {
      Py_DECREF(v);
      return malformed("bytes left after the document");
    }
    return v;
  }

 private:
  PyObject *value() {
    if (p_ == end_) return malformed("a value is missing");
    const uint8_t *at = p_;
    switch (*p_++) {
      case kNull: Py_RETURN_NONE;
      case kFalse: Py_RETURN_FALSE;
      case kTrue: Py_RETURN_TRUE;
      case kInt: return integer();
      case kUint: return uint64();
      case kDouble: return real();
      case kString: return string();
      case kArray: return nested(&Decoder::array, 0);
      case kObject16: return nested(&Decoder::object, 2);
      case kObject32: return nested(&Decoder::object, 4);
      case kObject8: return nested(&Decoder::object, 1);
      case kStamp: return stamp();
      case kCents: return cents();
      default: return unknown_tag(at);
    }
  }

  PyObject *integer() {
    uint64_t z;
    if (!varint(&z)) return nullptr;
    return PyLong_FromLongLong(unzigzag(z));
  }

  PyObject *uint64() {
    uint64_t u;
    if (!fixed(&u)) return nullptr;
    return PyLong_FromUnsignedLongLong(u);
  }

  PyObject *real() {
    double d;
    if (!fixed(&d)) return nullptr;
    return PyFloat_FromDouble(d);
  }

  PyObject *cents() {
    uint64_t z;
    if (!varint(&z)) return nullptr;
    return PyFloat_FromDouble(static_cast<double>(unzigzag(z)) / 100);
  }

  // A document's stamps are often equal (createdAt and modifiedAt until
  // its first update), so the last one is kept and its str shared.
  PyObject *stamp() {
    uint64_t code;
    if (!varint(&code)) return nullptr;
    if (last_stamp_ != nullptr && code == last_stamp_code_) {
      Py_INCREF(last_stamp_);
      return last_stamp_;
    }
    char text[32];
    size_t len = format_stamp(unzigzag(code >> 1), (code & 1) != 0, text);
    if (len == 0) return malformed("a timestamp is outside the years 0000-9999");
    PyObject *str = utf8_to_str({text, len});
    if (str == nullptr) return nullptr;
    Py_XSETREF(last_stamp_, str);
    last_stamp_code_ = code;
    Py_INCREF(str);
    return str;
  }

  PyObject *string() {
    std::string_view s;
    if (!bytes(&s)) return nullptr;
    return utf8_to_str(s);
  }

  // Containers: `body` reads the members; the recursion guard is CPython's.
  PyObject *nested(PyObject *(Decoder::*body)(size_t, const uint8_t *, size_t), size_t offset_width) {
    uint64_t payload, count;
    if (!varint(&payload)) return nullptr;
    if (payload > static_cast<size_t>(end_ - p_)) return malformed("a container is longer than the document");
    const uint8_t *end = p_ + payload;
    if (!varint(&count)) return nullptr;
    // Every member takes at least one byte: bounds the allocation below.
    if (count > static_cast<size_t>(end - p_)) return malformed("a container counts more members than it has bytes");
    if (Py_EnterRecursiveCall(" while converting a kilndb document to Python")) return nullptr;
    PyObject *r = (this->*body)(static_cast<size_t>(count), end, offset_width);
    Py_LeaveRecursiveCall();
    if (r != nullptr && p_ != end) {
      Py_DECREF(r);
      return malformed("a container's members do not fill its payload length");
    }
    return r;
  }

  PyObject *array(size_t count, const uint8_t *, size_t) {
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(count));
    if (list == nullptr) return nullptr;
    for (size_t i = 0; i < count; ++i) {
      PyObject *item = value();
      if (item == nullptr) {
        Py_DECREF(list);
        return nullptr;
      }
      PyList_SET_ITEM(list, static_cast<Py_ssize_t>(i), item);
    }
    return list;
  }

  // The offset table serves lookups by key; a full decode reads the entries
  // in order, so it is only skipped.
  PyObject *object(size_t count, const uint8_t *end, size_t offset_width) {
    if (count * offset_width > static_cast<size_t>(end - p_)) return malformed("an offset table is cut off");
    p_ += count * offset_width;
    PyObject *dict = new_dict(count);
    if (dict == nullptr) return nullptr;
    KeyCache &keys = key_cache();
    for (size_t i = 0; i < count; ++i) {
      std::string_view name;
      PyObject *key = bytes(&name) ? keys.get(name) : nullptr;
      if (!dict_set_steal(dict, key, key != nullptr ? value() : nullptr)) {
        Py_DECREF(dict);
        return nullptr;
      }
    }
    return dict;
  }

  // LEB128, at most 10 bytes.
  bool varint(uint64_t *out) {
    if (p_ != end_ && *p_ < 0x80) {
      *out = *p_++;
      return true;
    }
    uint64_t v = 0;
    for (int shift = 0; p_ != end_ && shift < 64; shift += 7) {
      uint8_t b = *p_++;
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (b < 0x80) {
        *out = v;
        return true;
      }
    }
    malformed("a varint is cut off or too long");
    return false;
  }

  // A little-endian 8-byte payload (the encoding's byte order; memcpy
  // assumes a little-endian host, as the engine does).
  template <class T>
  bool fixed(T *out) {
    static_assert(sizeof(T) == 8);
    if (end_ - p_ < 8) {
      malformed("an 8-byte number is cut off");
      return false;
    }
    std::memcpy(out, p_, 8);
    p_ += 8;
    return true;
  }

  // varint(length) + that many bytes: strings and object keys.
  bool bytes(std::string_view *out) {
    uint64_t len;
    if (!varint(&len)) return false;
    if (len > static_cast<size_t>(end_ - p_)) {
      malformed("a string is cut off");
      return false;
    }
    *out = {reinterpret_cast<const char *>(p_), static_cast<size_t>(len)};
    p_ += len;
    return true;
  }

  PyObject *malformed(const char *what) {
    set_status_error(KILN_INTERNAL, "malformed kilndb document encoding at byte " +
                                        std::to_string(p_ - begin_) + ": " + what);
    return nullptr;
  }

  PyObject *unknown_tag(const uint8_t *at) {
    char tag[8];
    std::snprintf(tag, sizeof tag, "0x%02x", *at);
    set_status_error(KILN_INTERNAL, std::string("unknown tag ") + tag + " at byte " + std::to_string(at - begin_) +
                                        " of a kilndb document: this binding decodes encoding version " +
                                        std::to_string(kDecoderEncodingVersion) + ", the engine writes version " +
                                        std::to_string(kiln_encoding_version()));
    return nullptr;
  }

  const uint8_t *const begin_;
  const uint8_t *p_;
  const uint8_t *const end_;
  PyObject *last_stamp_ = nullptr;  // owned
  uint64_t last_stamp_code_ = 0;
};

}  // namespace

PyObject *encoded_to_python(const char *data, size_t len) {
  return Decoder(reinterpret_cast<const uint8_t *>(data), len).document();
}

}  // namespace kilnpy
