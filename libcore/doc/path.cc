#include "doc/path.h"

namespace kiln::doc {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    if (dot == std::string_view::npos) {
      parts.push_back(path.substr(start));
      return parts;
    }
    parts.push_back(path.substr(start, dot - start));
    start = dot + 1;
  }
}

Value lookup(Value root, const std::vector<std::string_view>& path) {
  Value v = root;
  for (std::string_view part : path) {
    if (!v.valid() || !v.is_object()) return Value();
    v = v.find(part);
  }
  return v;
}

Value lookup(Value root, std::string_view path) {
  if (path.find('.') == std::string_view::npos) return root.is_object() ? root.find(path) : Value();
  return lookup(root, split_path(path));
}

}  // namespace kiln::doc
