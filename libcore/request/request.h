// Request: one parsed request object and what every op needs to run it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "doc/json_parser.h"

namespace kiln {

struct Request {
  simdjson::dom::object body;
  std::string_view op;
  std::string collection;  // "default" when absent or not a string (as rc2)
  const doc::Limits* limits = nullptr;
  int64_t now_ms = 0;
  std::string now_iso;  // createdAt / modifiedAt of documents this request writes

  // The member `name`, or an invalid element (check with has()).
  simdjson::simdjson_result<simdjson::dom::element> member(std::string_view name) const { return body[name]; }
  bool has(std::string_view name) const { return body[name].error() == simdjson::SUCCESS; }
};

// Builds a Request from a parsed object (op and collection resolved).
Request make_request(simdjson::dom::object body, const doc::Limits& limits, int64_t now_ms);

// MoltenDB's checks, in its order per op: validate_request() covers depth,
// collection, keys, data keys, fields and top-level where keys;
// check_properties() rejects members other than `allowed` (and "op"),
// naming the alphabetically first offender.
//
// With DataItems::kDepthByCaller, the items inside `data` are not walked for
// depth: the caller measures them while encoding them (set), must throw the
// depth error itself, and must report it ahead of any other error it throws.
enum class DataItems { kCheckDepth, kDepthByCaller };
void validate_request(const Request& req, DataItems data_items = DataItems::kCheckDepth);
void check_properties(const Request& req, std::initializer_list<std::string_view> allowed);

}  // namespace kiln
