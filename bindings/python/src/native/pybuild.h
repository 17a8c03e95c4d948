// Building Python values quickly: what the JSON reader (pyjson_read.cc) and
// the document-encoding decoder (pydoc_read.cc) share. Needs the GIL.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace kilnpy {

// True if no byte has its high bit set. Whole words, the last one
// overlapping the one before (document strings are short; most are ASCII).
inline bool is_ascii(std::string_view s) {
  const char *p = s.data();
  size_t n = s.size();
  uint64_t high = 0;
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      high |= word;
    }
    uint64_t last;
    std::memcpy(&last, p + n - 8, 8);
    high |= last;
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    high = a | b;
  } else {
    for (size_t i = 0; i < n; ++i) high |= static_cast<uint8_t>(p[i]);
  }
  return (high & 0x8080808080808080ull) == 0;
}

// a[0, n) == b[0, n), inlined: a memcmp call costs more than comparing
// a short object key in words, the last word overlapping the one before.
inline bool same_bytes(const char *a, const char *b, size_t n) {
  if (n >= 8) {
    uint64_t x, y;
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      if (x != y) return false;
    }
    std::memcpy(&x, a + n - 8, 8);
    std::memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    uint32_t x1, y1, x2, y2;
    std::memcpy(&x1, a, 4);
    std::memcpy(&y1, b, 4);
    std::memcpy(&x2, a + n - 4, 4);
    std::memcpy(&y2, b + n - 4, 4);
    return x1 == y1 && x2 == y2;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A str from UTF-8 bytes (a new reference, or nullptr with an exception).
// ASCII is copied straight into a new compact str: PyUnicode_DecodeUTF8
// would scan it again and take ~2x the instructions. Anything else goes
// through the decoder, with "surrogatepass" so that every string the
// engine can hold comes back.
inline PyObject *utf8_to_str(std::string_view s) {
  auto n = static_cast<Py_ssize_t>(s.size());
  if (!is_ascii(s)) return PyUnicode_DecodeUTF8(s.data(), n, "surrogatepass");
  PyObject *str = PyUnicode_New(n, 127);
  if (str != nullptr && n > 0) std::memcpy(PyUnicode_DATA(str), s.data(), s.size());
  return str;
}

// Object keys repeat across documents ("name", "age", ...). A small cache
// hands out the same str object for a short key, so its hash is computed
// once and documents share the key strings. Two-way: a key lives in one of
// a pair of slots, so two names with the same slot do not evict each other
// on every document. GIL-protected.
class KeyCache {
 public:
  // A new reference to the str for `key`, or nullptr with an exception set.
  PyObject *get(std::string_view key) {
    if (key.size() > kMaxLen) return utf8_to_str(key);
    Slot *pair = &slots_[hash(key) & (kSlots - 2)];
    for (Slot *slot = pair; slot != pair + 2; ++slot) {
      if (slot->obj != nullptr && slot->len == key.size() && same_bytes(slot->bytes, key.data(), key.size())) {
        Py_INCREF(slot->obj);
        return slot->obj;
      }
    }
    PyObject *obj = utf8_to_str(key);
    if (obj == nullptr) return nullptr;
    // The newest key takes the first slot; the one it held moves to the second.
    Py_XDECREF(pair[1].obj);
    pair[1] = pair[0];
    Py_INCREF(obj);
    pair[0].obj = obj;
    pair[0].len = key.size();
    std::memcpy(pair[0].bytes, key.data(), key.size());
    return obj;
  }

 private:
  static constexpr size_t kMaxLen = 32;
  static constexpr size_t kSlots = 1024;
  struct Slot {
    PyObject *obj = nullptr;
    size_t len = 0;
    char bytes[kMaxLen];
  };

  // Whole-word loads instead of a loop over bytes: the first and the last
  // (up to) 8 bytes and the length. Keys that differ only in the middle of
  // a long name share a slot, which costs a miss, never a wrong key.
  static uint32_t hash(std::string_view s) {
    const char *p = s.data();
    size_t n = s.size();
    uint64_t head = 0, tail = 0;
    if (n >= 8) {
      std::memcpy(&head, p, 8);
      std::memcpy(&tail, p + n - 8, 8);
    } else if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, p, 4);
      std::memcpy(&b, p + n - 4, 4);
      head = a | uint64_t{b} << 32;
    } else if (n > 0) {
      head = uint64_t{static_cast<uint8_t>(p[0])} | uint64_t{static_cast<uint8_t>(p[n / 2])} << 8 |
             uint64_t{static_cast<uint8_t>(p[n - 1])} << 16;
    }
    uint64_t h = (head * 0x9E3779B97F4A7C15ull) ^ (tail * 0xC2B2AE3D27D4EB4Full) ^ n;
    return static_cast<uint32_t>(h >> 32) ^ static_cast<uint32_t>(h);
  }

  Slot slots_[kSlots];
};

// The interpreter's one cache (pyjson_read.cc); never freed.
KeyCache &key_cache();

// dict[key] = value, releasing both references; either may be nullptr (its
// error is already set). False with a Python exception set on any failure.
inline bool dict_set_steal(PyObject *dict, PyObject *key, PyObject *value) {
  bool ok = key != nullptr && value != nullptr && PyDict_SetItem(dict, key, value) == 0;
  Py_XDECREF(key);
  Py_XDECREF(value);
  return ok;
}

// A dict with room for `n` members: filling it then never resizes (each
// resize rebuilds the hash index; a ~12-member document resized twice).
inline PyObject *new_dict(size_t n) {
#if PY_VERSION_HEX < 0x030D0000
  if (n > 5 && n < 0xFFFFFF) return _PyDict_NewPresized(static_cast<Py_ssize_t>(n));
#endif
  (void)n;
  return PyDict_New();
}

}  // namespace kilnpy
