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
      v = v.find(part.name, &hint);
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
