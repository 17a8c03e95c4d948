// Value: a read-only view of one encoded value (see format.h). Cheap to copy;
// valid while the bytes it points into are alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "doc/format.h"
#include "doc/timestamp.h"
#include "util/varint.h"

namespace kiln::doc {

// The start of entry i, from an object's offset table of `width`-byte
// entries (see format.h).
inline uint32_t table_offset(const uint8_t* table, unsigned width, size_t i) {
  if (width == 1) return table[i];
  if (width == 2) {
    uint16_t o16;
    std::memcpy(&o16, table + 2 * i, 2);
    return o16;
  }
  uint32_t off;
  std::memcpy(&off, table + 4 * i, 4);
  return off;
}

// Room for the text of a string that is not stored as its bytes (a stamp,
// format.h): see Value::as_string.
struct TextBuf {
  char chars[kStampMillisLen];
};

class Value {
 public:
  Value() = default;
  explicit Value(const uint8_t* p) : p_(p) {}
  explicit Value(std::string_view bytes) : p_(reinterpret_cast<const uint8_t*>(bytes.data())) {}

  bool valid() const { return p_ != nullptr; }
  uint8_t tag() const { return *p_; }
  Type type() const;
  bool is_null() const { return tag() == kNull; }
  bool is_bool() const { return tag() == kFalse || tag() == kTrue; }
  bool is_number() const { return tag() == kInt || tag() == kUint || is_float(); }
  // A double, in either form (format.h): 1.0 and 1 are different numbers.
  bool is_float() const { return tag() == kDouble || tag() == kCents; }
  // A stamp (format.h) is a string too: only its bytes tell them apart.
  bool is_string() const { return tag() == kString || tag() == kStamp; }
  bool is_array() const { return tag() == kArray; }
  bool is_object() const { return static_cast<uint8_t>(tag() - kObject16) <= kObject8 - kObject16; }

  bool as_bool() const { return tag() == kTrue; }
  int64_t as_int() const;      // tag kInt
  uint64_t as_uint() const;    // tag kUint
  double as_double() const;    // any number, converted
  // An integer value that fits uint64 (kInt >= 0 or kUint), else false.
  bool get_uint(uint64_t* out) const;
  // Strings: the text. A plain string's is a view of its bytes; a stamp's is
  // written into `buf`, so the view is valid while both are.
  std::string_view as_string(TextBuf& buf) const;

  // Bytes of the whole encoded value, tag included.
  size_t size() const;
  std::string_view bytes() const { return {reinterpret_cast<const char*>(p_), size()}; }
  const uint8_t* data() const { return p_; }

  // Arrays and objects: element / field count.
  size_t count() const;

  // Objects: field by key (invalid Value if absent); i-th field in key order.
  // `hint` (optional) is the index where the key was found last time: the
  // documents of a collection mostly share one shape, so a query looking up
  // the same field in many documents usually hits it first try. Updated.
  Value find(std::string_view key, uint32_t* hint = nullptr) const;
  std::string_view key_at(size_t i) const;
  Value value_at(size_t i) const;

  // Objects: visit every field in key order, sequentially (cheaper than
  // key_at/value_at, which go through the offset table). fn(key, value).
  template <typename Fn>
  void for_each_field(Fn&& fn) const {
    size_t n;
    unsigned width;
    const uint8_t* p = object_entries(&n, &width);
    for (size_t i = 0; i < n; ++i) {
      uint64_t len = get_varint(p);
      std::string_view key(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
      Value v(p + len);
      fn(key, v);
      p = v.data() + v.size();
    }
  }

  // Arrays: iterate with first_element() and next(): next() is the value
  // stored right after this one.
  Value first_element() const;
  Value next() const { return Value(p_ + size()); }

 private:
  // Start of the entries of an object (after the offset table).
  const uint8_t* object_entries(size_t* count, unsigned* width) const;
  const uint8_t* entry_at(size_t i) const;
  // find() by binary search over the offset table; sets *hint when found.
  Value search(std::string_view key, uint32_t* hint) const;
  // as_string() of a stamp.
  std::string_view stamp_text(TextBuf& buf) const;

  const uint8_t* p_ = nullptr;
};

// Inline: it is the innermost step of every filter and projection. Reads the
// header once; the hinted entry is checked here, the binary search (a miss)
// is out of line so that the common path stays small.
inline Value Value::find(std::string_view key, uint32_t* hint) const {
  if (!is_object()) return Value();
  if (hint) {
    const uint8_t* p = p_;
    unsigned width = offset_width(*p++);
    while (*p & 0x80) ++p;  // payload length: not needed
    ++p;
    size_t count = *p < 0x80 ? *p++ : static_cast<size_t>(get_varint(p));
    if (*hint < count) {
      // Only equality matters here: lengths first, then the bytes.
      const uint8_t* e = p + count * width + table_offset(p, width, *hint);
      size_t len = *e < 0x80 ? *e++ : static_cast<size_t>(get_varint(e));
      if (len == key.size()) {
        size_t j = 0;
        while (j < len && e[j] == static_cast<uint8_t>(key[j])) ++j;
        if (j == len) return Value(e + len);
      }
    }
  }
  return search(key, hint);
}

inline std::string_view Value::as_string(TextBuf& buf) const {
  if (tag() != kString) return stamp_text(buf);
  const uint8_t* p = p_ + 1;
  auto len = static_cast<size_t>(*p < 0x80 ? *p++ : get_varint(p));
  return {reinterpret_cast<const char*>(p), len};
}

}  // namespace kiln::doc
