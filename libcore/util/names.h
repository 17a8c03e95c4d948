// Validation of user-supplied names (QUERY.md "Names and limits").
// Each function throws kiln::Error(kInvalidArgument) naming the bad value.
#pragma once

#include <string_view>

namespace kiln {

void check_collection_name(std::string_view name);
void check_key(std::string_view key);
// Field paths used in `fields`, `excludedFields`, `where`, `sort`, indexes.
void check_field_path(std::string_view path);

bool is_valid_key(std::string_view key);

}  // namespace kiln
