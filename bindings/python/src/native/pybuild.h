// Converting between Python strs and bytes quickly: what the JSON reader
// (pyjson_read.cc), the document-encoding decoder (pydoc_read.cc), the JSON
// writer and the argument checks share. Needs the GIL.
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

// Short strings are checked a word at a time: fn(offset, word) sees
// s[0, n) as 8-byte words, the last one overlapping the one before (4-byte
// words below 8 bytes, single bytes below 4), and all_words is true if fn
// is true for every word. Words are loaded with memcpy (any alignment).
template <class Fn>
inline bool all_words(size_t n, Fn &&fn) {
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8) {
      if (!fn(i, 8)) return false;
    }
    return fn(n - 8, 8);
  }
  if (n >= 4) return fn(0, 4) && fn(n - 4, 4);
  for (size_t i = 0; i < n; ++i) {
    if (!fn(i, 1)) return false;
  }
  return true;
}

// `width` (1, 4 or 8) bytes at p as an integer.
inline uint64_t load_word(const char *p, size_t width) {
  uint64_t w = 0;
  std::memcpy(&w, p, width);
  return w;
}

// True if no byte has its high bit set (document strings are mostly ASCII).
inline bool is_ascii(std::string_view s) {
  return all_words(s.size(), [&](size_t at, size_t width) {
    return (load_word(s.data() + at, width) & 0x8080808080808080ull) == 0;
  });
}

// a[0, n) == b[0, n), inlined: a memcmp call costs more than comparing a
// short object key in words.
inline bool same_bytes(const char *a, const char *b, size_t n) {
  return all_words(n, [&](size_t at, size_t width) { return load_word(a + at, width) == load_word(b + at, width); });
}

// The UTF-8 bytes of a str, or nullptr with an exception set. A compact
// ASCII str (what most strs are) holds them itself: no call needed.
inline const char *utf8_of(PyObject *str, Py_ssize_t *len) {
  if (PyUnicode_IS_COMPACT_ASCII(str)) {
    *len = PyUnicode_GET_LENGTH(str);
    return static_cast<const char *>(PyUnicode_DATA(str));
  }
  return PyUnicode_AsUTF8AndSize(str, len);
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
