// A parsed dot-path (QUERY.md "Paths"), owning its segments.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "doc/path.h"
#include "doc/value.h"

namespace kiln::query {

// Value::find for the query hot path: reads the object header once, tries
// `*hint` (where the key was found last time: documents of a collection
// mostly share one shape), then binary-searches the offset table comparing
// short keys inline. Updates *hint.
inline doc::Value find_field(doc::Value object, std::string_view key, uint32_t* hint = nullptr) {
  const uint8_t* p = object.data();
  bool wide = *p++ == doc::kObject32;
  get_varint(p);  // payload length
  size_t count = static_cast<size_t>(get_varint(p));
  const uint8_t* table = p;
  const uint8_t* entries = p + count * (wide ? 4 : 2);
  auto compare_at = [&](size_t i, const uint8_t** value) {
    uint32_t off;
    if (wide) {
      std::memcpy(&off, table + 4 * i, 4);
    } else {
      uint16_t o16;
      std::memcpy(&o16, table + 2 * i, 2);
      off = o16;
    }
    const uint8_t* e = entries + off;
    size_t len = *e < 0x80 ? *e++ : static_cast<size_t>(get_varint(e));
    const char* k = reinterpret_cast<const char*>(e);
    size_t n = len < key.size() ? len : key.size();
    int c = 0;
    for (size_t j = 0; j < n && c == 0; ++j) {
      c = static_cast<int>(static_cast<unsigned char>(k[j])) - static_cast<int>(static_cast<unsigned char>(key[j]));
    }
    if (c == 0) c = len < key.size() ? -1 : (len > key.size() ? 1 : 0);
    *value = e + len;
    return c;
  };
  const uint8_t* value;
  if (hint && *hint < count && compare_at(*hint, &value) == 0) return doc::Value(value);
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = compare_at(mid, &value);
    if (c == 0) {
      if (hint) *hint = static_cast<uint32_t>(mid);
      return doc::Value(value);
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return doc::Value();
}

class FieldPath {
 public:
  FieldPath() = default;
  explicit FieldPath(std::string_view text) : text_(text) {
    for (std::string_view p : doc::split_path(text_)) parts_.push_back(Segment{std::string(p)});
  }

  const std::string& text() const { return text_; }
  const std::string& head() const { return parts_.front().name; }

  // The value at this path (objects only), or an invalid Value.
  doc::Value lookup(doc::Value root) const {
    doc::Value v = root;
    for (const Segment& part : parts_) {
      if (!v.is_object()) return doc::Value();
      // The hint is shared by threads scanning together: a stale value only
      // costs a binary search.
      uint32_t hint = part.hint.load(std::memory_order_relaxed);
      uint32_t seen = hint;
      v = find_field(v, part.name, &hint);
      if (hint != seen) part.hint.store(hint, std::memory_order_relaxed);
      if (!v.valid()) return v;
    }
    return v;
  }

 private:
  struct Segment {
    std::string name;
    mutable std::atomic<uint32_t> hint{0};
    explicit Segment(std::string n) : name(std::move(n)) {}
    Segment(const Segment& o) : name(o.name), hint(o.hint.load(std::memory_order_relaxed)) {}
    Segment& operator=(const Segment& o) {
      name = o.name;
      hint.store(o.hint.load(std::memory_order_relaxed), std::memory_order_relaxed);
      return *this;
    }
  };
  std::string text_;
  std::vector<Segment> parts_;
};

}  // namespace kiln::query
