// Small helpers over JSON *text* for the CLI (the engine does the real
// parsing): pretty-printing, splitting an array into its elements, listing an
// object's members, quoting and unquoting strings. Input is assumed to be
// valid JSON as the engine returns it; malformed input yields false / "".
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kiln_cli {

std::string pretty(std::string_view json);
bool split_array(std::string_view json, std::vector<std::string_view>& elements);
bool object_members(std::string_view json, std::vector<std::pair<std::string, std::string_view>>& members);
std::string quote(std::string_view s);
// Decodes a JSON string literal (with its quotes); "" if it is not one.
std::string unquote(std::string_view literal);
std::string_view trim(std::string_view s);
// Index just past the JSON value starting at s[i] (after whitespace), or npos.
size_t skip_value(std::string_view s, size_t i);

}  // namespace kiln_cli
