// Value: a read-only view of one encoded value (see format.h). Cheap to copy;
// valid while the bytes it points into are alive.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "doc/format.h"
#include "util/varint.h"

namespace kiln::doc {

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
  bool is_number() const { return tag() == kInt || tag() == kUint || tag() == kDouble; }
  bool is_string() const { return tag() == kString; }
  bool is_array() const { return tag() == kArray; }
  bool is_object() const { return tag() == kObject16 || tag() == kObject32; }

  bool as_bool() const { return tag() == kTrue; }
  int64_t as_int() const;      // tag kInt
  uint64_t as_uint() const;    // tag kUint
  double as_double() const;    // any number, converted
  // An integer value that fits uint64 (kInt >= 0 or kUint), else false.
  bool get_uint(uint64_t* out) const;
  std::string_view as_string() const;

  // Bytes of the whole encoded value, tag included.
  size_t size() const;
  std::string_view bytes() const { return {reinterpret_cast<const char*>(p_), size()}; }
  const uint8_t* data() const { return p_; }

  // Arrays and objects: element / field count.
  size_t count() const;

  // Objects: field by key (invalid Value if absent); i-th field in key order.
  Value find(std::string_view key) const;
  std::string_view key_at(size_t i) const;
  Value value_at(size_t i) const;

  // Objects: visit every field in key order, sequentially (cheaper than
  // key_at/value_at, which go through the offset table). fn(key, value).
  template <typename Fn>
  void for_each_field(Fn&& fn) const {
    size_t n;
    bool wide;
    const uint8_t* p = object_entries(&n, &wide);
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
  const uint8_t* object_entries(size_t* count, bool* wide) const;
  const uint8_t* entry_at(size_t i) const;

  const uint8_t* p_ = nullptr;
};

}  // namespace kiln::doc
