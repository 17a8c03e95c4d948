// schema: a collection's JSON Schema (QUERY.md "Beyond rc2"), checked on
// every later write (TxnView::put). `"schema": null` removes it.
#include "doc/encoder.h"
#include "doc/json_writer.h"
#include "request/ops.h"
#include "schema/schema.h"
#include "util/error.h"

namespace kiln {

std::string run_schema(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "schema"});
  validate_request(req);
  std::string_view name;
  if (req.member("collection").get(name) != simdjson::SUCCESS) throw_invalid("Missing 'collection' name");
  simdjson::dom::element schema;
  if (req.member("schema").get(schema) != simdjson::SUCCESS) throw_invalid("Missing 'schema' JSON");

  if (schema.is_null()) {
    view.define({Mutation::Kind::kSetSchema, req.collection, {}, {}, "null", {}});
  } else {
    if (!schema.is_object() && !schema.is_bool()) throw_invalid("Invalid Schema: Invalid schema: expected an object");
    std::string encoded = doc::encode(schema);
    std::string json = doc::to_json(doc::Value(encoded));
    std::shared_ptr<const Schema> compiled = Schema::compile(doc::Value(encoded), json);
    view.define({Mutation::Kind::kSetSchema, req.collection, {}, {}, std::move(json), {}}, std::move(compiled));
  }
  std::string out = "{\"collection\":";
  doc::write_json_string(req.collection, out);
  return out + ",\"status\":\"ok\"}";
}

}  // namespace kiln
