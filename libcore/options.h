// Options: how a database is opened, parsed from the options JSON of kiln_open.
#pragma once

#include <string>
#include <string_view>

#include "doc/json_parser.h"

namespace kiln {

enum class Mode { kMemory, kSync, kAsync };

struct Options {
  Mode mode = Mode::kMemory;
  doc::Limits limits;
};

// Parses options_json (may be empty: defaults). `has_path` picks the default
// mode (sync with a path, memory without). Unknown members and wrong types
// are INVALID_ARGUMENT naming the member.
Options parse_options(std::string_view options_json, bool has_path);

std::string_view mode_name(Mode mode);

}  // namespace kiln
