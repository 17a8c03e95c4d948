// index / drop_index / indexes: secondary index definitions (QUERY.md
// "Beyond rc2"). Definitions are mutations, so they are atomic, logged and
// replayed like documents.
#include "doc/json_writer.h"
#include "request/ops.h"
#include "util/error.h"
#include "util/names.h"

namespace kiln {
namespace {

std::string field_of(const Request& req) {
  std::string_view field;
  if (req.member("field").get(field) != simdjson::SUCCESS) throw_invalid("Missing 'field' (a field path)");
  check_field_path(field);
  return std::string(field);
}

// A unique index over documents that already repeat a value cannot exist.
void check_existing_unique(const Collection& c, const IndexDef& def) {
  Index probe(def);
  absl::flat_hash_map<std::string, std::string_view> seen;
  for (size_t i = 0; i < c.size(); ++i) {
    const DocRecord* r = c.slot(i);
    doc::Value v = probe.path().lookup(r->value());
    if (!v.valid() || v.is_null()) continue;
    auto [it, fresh] = seen.emplace(Index::hash_key(v), r->key());
    if (!fresh) {
      throw Error(Code::kConflict, "Conflict: Duplicate value " + doc::to_json(v) + " for unique index '" + def.field +
                                       "' (keys '" + std::string(it->second) + "' and '" + std::string(r->key()) + "')");
    }
  }
}

}  // namespace

std::string run_index(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "field", "unique"});
  validate_request(req);
  IndexDef def{field_of(req), false};
  if (req.has("unique") && req.member("unique").get_bool().get(def.unique) != simdjson::SUCCESS) {
    throw_invalid("Invalid 'unique': expected true or false");
  }
  std::string response = "{\"field\":";
  doc::write_json_string(def.field, response);
  response += ",\"status\":\"ok\",\"unique\":";
  response += def.unique ? "true}" : "false}";

  const Collection* c = view.base().find(req.collection);
  if (const Index* existing = c ? c->index(def.field) : nullptr) {
    if (existing->def().unique == def.unique) return response;  // already there
    throw_invalid("An index on '" + def.field + "' already exists with unique=" +
                  (existing->def().unique ? "true" : "false") + "; drop it first");
  }
  if (def.unique && c) check_existing_unique(*c, def);
  view.define({Mutation::Kind::kCreateIndex, req.collection, {}, {}, def.to_json(), {}});
  return response;
}

std::string run_drop_index(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "field"});
  validate_request(req);
  std::string field = field_of(req);
  const Collection* c = view.base().find(req.collection);
  bool exists = c && c->index(field);
  if (exists) view.define({Mutation::Kind::kDropIndex, req.collection, {}, {}, IndexDef{field, false}.to_json(), {}});
  return exists ? "{\"dropped\":true,\"status\":\"ok\"}" : "{\"dropped\":false,\"status\":\"ok\"}";
}

std::string run_indexes(const Request& req, const Store& store) {
  check_properties(req, {"collection"});
  validate_request(req);
  std::string out = "{\"indexes\":[";
  if (const Collection* c = store.find(req.collection)) {
    bool first = true;
    for (const auto& index : c->indexes()) {
      if (!first) out.push_back(',');
      first = false;
      out += index->def().to_json();
    }
  }
  return out + "],\"status\":\"ok\"}";
}

}  // namespace kiln
