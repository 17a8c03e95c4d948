#include "doc/json_parser.h"

#include <string>

#include "util/error.h"

namespace kiln::doc {
namespace {

// "10MB" for the default, as MoltenDB words it.
std::string size_text(size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + "MB";
  return std::to_string(bytes) + " bytes";
}

[[noreturn]] void throw_depth(const Limits& limits) {
  throw_invalid("JSON nesting too deep (max " + std::to_string(limits.max_depth) + " levels)");
}

simdjson::dom::element parse_with(simdjson::dom::parser& parser, std::string_view json, const Limits& limits) {
  if (json.size() > limits.max_request_bytes) {
    throw_invalid("Payload too large (max " + size_text(limits.max_request_bytes) + ")");
  }
  // Let simdjson accept a little more than our limit so that its own depth
  // error never preempts ours; anything deeper is rejected either way.
  size_t simd_depth = limits.max_depth + 2;
  if (parser.max_depth() != simd_depth || parser.capacity() < json.size()) {
    if (auto err = parser.allocate(std::max(json.size(), parser.capacity()), simd_depth)) {
      throw Error(Code::kNoMemory, std::string("Cannot allocate the JSON parser: ") + simdjson::error_message(err));
    }
  }
  simdjson::dom::element root;
  auto err = parser.parse(json.data(), json.size(), true).get(root);
  if (err == simdjson::DEPTH_ERROR) throw_depth(limits);
  if (err == simdjson::UTF8_ERROR) throw_invalid("Invalid JSON: the text is not valid UTF-8");
  if (err == simdjson::EMPTY) throw_invalid("Invalid JSON: the request is empty");
  if (err) throw_invalid(std::string("Invalid JSON: ") + simdjson::error_message(err));
  return root;
}

}  // namespace

size_t json_depth(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  size_t deepest = 0;
  if (e.type() == element_type::ARRAY) {
    for (simdjson::dom::element child : as_array(e)) deepest = std::max(deepest, 1 + json_depth(child));
  } else if (e.type() == element_type::OBJECT) {
    deepest = json_depth(as_object(e));
  }
  return deepest;
}

size_t json_depth(simdjson::dom::object o) {
  size_t deepest = 0;
  for (simdjson::dom::key_value_pair field : o) deepest = std::max(deepest, 1 + json_depth(field.value));
  return deepest;
}

void check_depth(simdjson::dom::element e, const Limits& limits) {
  if (json_depth(e) > limits.max_depth) throw_depth(limits);
}

void check_depth(simdjson::dom::object o, const Limits& limits) {
  if (json_depth(o) > limits.max_depth) throw_depth(limits);
}

simdjson::dom::element parse_json(std::string_view json, const Limits& limits) {
  thread_local simdjson::dom::parser parser;
  return parse_with(parser, json, limits);
}

simdjson::dom::element parse_json_secondary(std::string_view json, const Limits& limits) {
  thread_local simdjson::dom::parser parser;
  return parse_with(parser, json, limits);
}

}  // namespace kiln::doc
