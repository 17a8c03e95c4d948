// get: documents by key or the whole collection (QUERY.md "get").
#include <vector>

#include "doc/json_writer.h"
#include "doc/json_parser.h"
#include "request/ops.h"
#include "util/error.h"

namespace kiln {
namespace {

[[noreturn]] void not_found() { throw Error(Code::kNotFound, "No documents found"); }

std::string array_of(const std::vector<const DocRecord*>& records) {
  if (records.empty()) not_found();
  std::string out = "[";
  for (const DocRecord* r : records) {
    if (out.size() > 1) out.push_back(',');
    doc::write_json_with_key(r->value(), r->key(), out);
  }
  out.push_back(']');
  return out;
}

}  // namespace

std::string run_get(const Request& req, const Store& store) {
  validate_request(req);
  check_properties(req, {"collection", "keys", "where", "fields", "excludedFields", "joins", "sort", "count",
                         "offset"});
  simdjson::dom::element fields, excluded;
  if (req.member("fields").get(fields) == simdjson::SUCCESS && fields.is_array() &&
      req.member("excludedFields").get(excluded) == simdjson::SUCCESS && excluded.is_array()) {
    throw_invalid("'fields' and 'excludedFields' cannot be used together");
  }
  for (std::string_view p : {"where", "fields", "excludedFields", "joins", "sort", "count", "offset"}) {
    if (req.has(p)) throw_invalid("'" + std::string(p) + "' is not available in this build yet");
  }

  const Collection* coll = store.find(req.collection);
  simdjson::dom::element keys;
  bool has_keys = req.member("keys").get(keys) == simdjson::SUCCESS;
  if (has_keys && keys.is_string()) {
    const DocRecord* r = coll ? coll->find_raw(keys.get_string().value_unsafe()) : nullptr;
    if (!r) not_found();
    return doc::to_json(r->value());
  }
  std::vector<const DocRecord*> records;
  std::vector<DocRef> all;
  if (has_keys && keys.is_array()) {
    // Request order; a key named twice is returned once.
    for (simdjson::dom::element k : doc::as_array(keys)) {
      std::string_view key;
      if (k.get_string().get(key) != simdjson::SUCCESS || !coll) continue;
      const DocRecord* r = coll->find_raw(key);
      if (r && std::find(records.begin(), records.end(), r) == records.end()) records.push_back(r);
    }
  } else if (coll) {
    all = coll->sorted();  // non-string, non-array keys mean "no keys" (rc2)
    for (const DocRef& r : all) records.push_back(r.get());
  }
  return array_of(records);
}

}  // namespace kiln
