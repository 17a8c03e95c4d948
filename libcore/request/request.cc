#include "request/request.h"

#include <algorithm>
#include <optional>

#include "util/clock.h"
#include "util/error.h"
#include "util/names.h"

namespace kiln {
namespace {

void check_key_count(size_t count, const doc::Limits& limits) {
  if (count > limits.max_keys) {
    throw_invalid("Too many keys in single request (max " + std::to_string(limits.max_keys) + ")");
  }
}

bool has_children(simdjson::dom::element e) {
  if (e.is_object()) return doc::as_object(e).size() > 0;
  if (e.is_array()) return doc::as_array(e).size() > 0;
  return false;
}

// json_depth(body), except that the items of the (first) `data` member count
// as scalars: the shallowest they can be.
size_t depth_without_data_items(simdjson::dom::object body) {
  size_t deepest = 0;
  bool data_seen = false;
  for (simdjson::dom::key_value_pair field : body) {
    size_t depth;
    if (field.key == "data" && !data_seen) {
      data_seen = true;
      depth = has_children(field.value) ? 2 : 1;
    } else {
      depth = 1 + doc::json_depth(field.value);
    }
    deepest = std::max(deepest, depth);
  }
  return deepest;
}

}  // namespace

Request make_request(simdjson::dom::object body, const doc::Limits& limits, int64_t now_ms) {
  Request req;
  req.body = body;
  std::string_view op;
  if (body["op"].get(op) != simdjson::SUCCESS) {
    throw_invalid("Missing 'op': a request needs \"op\": \"set\", \"update\", \"delete\", \"get\", \"batch\", ...");
  }
  req.op = op;
  std::string_view collection;
  req.collection = body["collection"].get(collection) == simdjson::SUCCESS ? std::string(collection) : "default";
  req.limits = &limits;
  req.now_ms = now_ms;
  req.now_iso = iso8601_utc(now_ms);
  return req;
}

void validate_request(const Request& req, DataItems data_items) {
  if (data_items == DataItems::kCheckDepth) {
    doc::check_depth(req.body, *req.limits);
  } else if (depth_without_data_items(req.body) > req.limits->max_depth) {
    doc::check_depth(req.body, *req.limits);  // throws, with the usual message
  }

  std::string_view collection;
  if (req.member("collection").get(collection) == simdjson::SUCCESS) check_collection_name(collection);

  simdjson::dom::element keys;
  if (req.member("keys").get(keys) == simdjson::SUCCESS) {
    if (keys.is_string()) {
      check_key(keys.get_string().value_unsafe());
    } else if (keys.is_array()) {
      simdjson::dom::array arr = doc::as_array(keys);
      check_key_count(arr.size(), *req.limits);
      for (simdjson::dom::element k : arr) {
        if (k.is_string()) check_key(k.get_string().value_unsafe());
      }
    }
  }

  simdjson::dom::object data;
  if (req.member("data").get(data) == simdjson::SUCCESS) {
    check_key_count(data.size(), *req.limits);
    // The alphabetically first bad key is the one reported.
    std::optional<std::string_view> first_bad;
    for (auto field : data) {
      if (!is_valid_key(field.key) && (!first_bad || field.key < *first_bad)) first_bad = field.key;
    }
    if (first_bad) check_key(*first_bad);
  }

  simdjson::dom::array fields;
  if (req.member("fields").get(fields) == simdjson::SUCCESS) {
    for (simdjson::dom::element f : fields) {
      if (f.is_string()) check_field_path(f.get_string().value_unsafe());
    }
  }

  simdjson::dom::object where;
  if (req.member("where").get(where) == simdjson::SUCCESS) {
    for (auto field : where) {
      if (!field.key.starts_with('$')) check_field_path(field.key);
    }
  }
}

void check_properties(const Request& req, std::initializer_list<std::string_view> allowed) {
  std::optional<std::string_view> first_unknown;
  for (auto field : req.body) {
    if (field.key == "op" || std::find(allowed.begin(), allowed.end(), field.key) != allowed.end()) continue;
    if (!first_unknown || field.key < *first_unknown) first_unknown = field.key;
  }
  if (first_unknown) {
    throw_invalid("Unknown property: '" + std::string(*first_unknown) +
                  "'. Check the API docs for supported properties");
  }
}

}  // namespace kiln
