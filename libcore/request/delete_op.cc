// delete: by keys, by where, or the whole collection (QUERY.md "delete").
#include <algorithm>
#include <vector>

#include "doc/json_parser.h"
#include "query/executor.h"
#include "request/ops.h"
#include "util/error.h"

namespace kiln {
namespace {

// Keys of the documents matching `where` as this request sees them.
std::vector<std::string> matching_keys(const Request& req, const query::Where& where, TxnView& view) {
  std::vector<std::string> keys;
  if (!view.has_pending(req.collection)) {
    // Nothing pending here: the committed collection is the truth, and the
    // query pipeline can use its indexes.
    query::Query q;
    q.where = where;
    query::Executor ex(q, view.base(), view.base().find(req.collection));
    for (const query::Hit& h : ex.all_matches()) keys.emplace_back(h.record->key());
    return keys;
  }
  view.for_each(req.collection, [&](const DocRecord* r) {
    if (where.matches(r->value())) keys.emplace_back(r->key());
  });
  std::sort(keys.begin(), keys.end());
  return keys;
}

}  // namespace

std::string run_delete(const Request& req, TxnView& view) {
  validate_request(req);
  check_properties(req, {"collection", "keys", "drop", "where"});

  bool drop = false;
  if (req.member("drop").get(drop) == simdjson::SUCCESS && drop) {
    view.drop(req.collection);
    return "{\"dropped\":true,\"status\":\"ok\"}";
  }

  // Extension: `where` deletes the matching documents (with `keys`, only
  // those of the listed keys that match).
  simdjson::dom::element where_json;
  bool has_where = req.member("where").get(where_json) == simdjson::SUCCESS;
  if (has_where && !where_json.is_object()) throw_invalid("Invalid 'where': expected an object");
  query::Where where = has_where ? query::Where::parse(where_json) : query::Where();

  simdjson::dom::element keys;
  size_t deleted = 0;  // documents really deleted (a deviation from rc2)
  auto erase_if_matching = [&](std::string_view key) {
    if (has_where) {
      DocRef doc = view.find(req.collection, key);
      if (!doc || !where.matches(doc->value())) return;
    }
    deleted += view.erase(req.collection, key);
  };
  if (req.member("keys").get(keys) == simdjson::SUCCESS && (keys.is_string() || keys.is_array())) {
    if (keys.is_string()) {
      erase_if_matching(keys.get_string().value_unsafe());
    } else {
      for (simdjson::dom::element k : doc::as_array(keys)) {
        std::string_view key;
        if (k.get_string().get(key) == simdjson::SUCCESS) erase_if_matching(key);
      }
    }
  } else if (has_where) {
    for (const std::string& key : matching_keys(req, where, view)) deleted += view.erase(req.collection, key);
  } else {
    throw_invalid("Missing 'keys' (string or array) or 'drop': true");
  }
  return "{\"deleted\":" + std::to_string(deleted) + ",\"status\":\"ok\"}";
}

}  // namespace kiln
