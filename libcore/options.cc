#include "options.h"

#include <algorithm>

#include "util/error.h"

namespace kiln {
namespace {

size_t positive_size(simdjson::dom::element value, std::string_view name) {
  uint64_t n;
  if (value.get_uint64().get(n) != simdjson::SUCCESS || n == 0) {
    throw_invalid("Invalid option '" + std::string(name) + "': expected a positive integer");
  }
  return static_cast<size_t>(n);
}

uint64_t non_negative(simdjson::dom::element value, std::string_view name) {
  uint64_t n;
  if (value.get_uint64().get(n) != simdjson::SUCCESS) {
    throw_invalid("Invalid option '" + std::string(name) + "': expected a non-negative integer");
  }
  return n;
}

bool boolean(simdjson::dom::element value, std::string_view name) {
  bool b;
  if (value.get_bool().get(b) != simdjson::SUCCESS) {
    throw_invalid("Invalid option '" + std::string(name) + "': expected true or false");
  }
  return b;
}

Mode parse_mode(simdjson::dom::element value) {
  std::string_view m;
  if (value.get_string().get(m) == simdjson::SUCCESS) {
    if (m == "memory") return Mode::kMemory;
    if (m == "sync") return Mode::kSync;
    if (m == "async") return Mode::kAsync;
  }
  throw_invalid("Invalid option 'mode': expected \"memory\", \"sync\" or \"async\"");
}

}  // namespace

std::string_view mode_name(Mode mode) {
  switch (mode) {
    case Mode::kMemory: return "memory";
    case Mode::kSync: return "sync";
    case Mode::kAsync: return "async";
  }
  return "memory";
}

Options parse_options(std::string_view options_json, bool has_path) {
  Options options;
  options.mode = has_path ? Mode::kSync : Mode::kMemory;
  if (options_json.empty()) return options;

  simdjson::dom::parser parser;  // options are parsed once per open: no reuse needed
  simdjson::dom::element root;
  if (auto err = parser.parse(options_json.data(), options_json.size()).get(root)) {
    throw_invalid(std::string("Invalid options: not valid JSON (") + simdjson::error_message(err) + ")");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) throw_invalid("Invalid options: expected a JSON object");
  for (auto [name, value] : object) {
    if (name == "mode") {
      options.mode = parse_mode(value);
    } else if (name == "max_depth") {
      options.limits.max_depth = positive_size(value, name);
    } else if (name == "max_request_bytes") {
      options.limits.max_request_bytes = positive_size(value, name);
    } else if (name == "max_keys") {
      options.limits.max_keys = positive_size(value, name);
    } else if (name == "read_only") {
      options.read_only = boolean(value, name);
    } else if (name == "flush_interval_ms") {
      options.flush_interval_ms = static_cast<int>(std::min<size_t>(positive_size(value, name), 3600000));
    } else if (name == "async_max_pending_bytes") {
      options.async_max_pending_bytes = positive_size(value, name);
    } else if (name == "segment_bytes") {
      options.segment_bytes = std::max<size_t>(positive_size(value, name), 4096);
    } else if (name == "wal_preallocate_bytes") {
      options.wal_preallocate_bytes = non_negative(value, name);
    } else if (name == "compaction_ratio") {
      double r;
      if (value.get_double().get(r) != simdjson::SUCCESS || r < 0) {
        throw_invalid("Invalid option 'compaction_ratio': expected a number >= 0 (0 disables automatic compaction)");
      }
      options.compaction_ratio = r;
    } else if (name == "compaction_min_bytes") {
      options.compaction_min_bytes = non_negative(value, name);
    } else if (name == "backups_kept") {
      options.backups_kept = static_cast<uint32_t>(std::min<uint64_t>(non_negative(value, name), 1000));
    } else if (name == "wal_retention") {
      std::string_view v;
      if (value.get_string().get(v) != simdjson::SUCCESS || (v != "delete" && v != "archive")) {
        throw_invalid("Invalid option 'wal_retention': expected \"delete\" or \"archive\"");
      }
      options.archive_wal = v == "archive";
    } else if (name == "change_retention") {
      options.change_retention = positive_size(value, name);
    } else {
      throw_invalid("Unknown option: '" + std::string(name) + "'");
    }
  }
  return options;
}

}  // namespace kiln
