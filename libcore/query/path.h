// A parsed dot-path (QUERY.md "Paths"), owning its segments.
#pragma once

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
    for (std::string_view p : doc::split_path(text_)) parts_.emplace_back(p);
  }

  const std::string& text() const { return text_; }
  const std::string& head() const { return parts_.front(); }

  // The value at this path (objects only), or an invalid Value.
  doc::Value lookup(doc::Value root) const {
    doc::Value v = root;
    for (const std::string& part : parts_) {
      if (!v.is_object()) return doc::Value();
      v = v.find(part);
      if (!v.valid()) return v;
    }
    return v;
  }

 private:
  std::string text_;
  std::vector<std::string> parts_;
};

}  // namespace kiln::query
