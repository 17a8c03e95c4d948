// Dot-paths ("address.zip"): walk objects only, no array indexes (QUERY.md "Paths").
#pragma once

#include <string_view>
#include <vector>

#include "doc/value.h"

namespace kiln::doc {

std::vector<std::string_view> split_path(std::string_view path);

// The value at `path` inside `root`, or an invalid Value if any step is
// missing or not an object.
Value lookup(Value root, const std::vector<std::string_view>& path);
Value lookup(Value root, std::string_view path);

}  // namespace kiln::doc
