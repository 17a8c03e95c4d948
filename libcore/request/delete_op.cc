// delete: by keys, or the whole collection (QUERY.md "delete").
#include "doc/json_parser.h"
#include "request/ops.h"
#include "util/error.h"

namespace kiln {

std::string run_delete(const Request& req, TxnView& view) {
  validate_request(req);
  check_properties(req, {"collection", "keys", "drop", "where"});

  bool drop = false;
  if (req.member("drop").get(drop) == simdjson::SUCCESS && drop) {
    view.drop(req.collection);
    return "{\"dropped\":true,\"status\":\"ok\"}";
  }

  simdjson::dom::element keys;
  if (req.member("keys").get(keys) == simdjson::SUCCESS && (keys.is_string() || keys.is_array())) {
    size_t deleted = 0;  // documents really deleted (a deviation from rc2)
    if (keys.is_string()) {
      deleted += view.erase(req.collection, keys.get_string().value_unsafe());
    } else {
      for (simdjson::dom::element k : doc::as_array(keys)) {
        std::string_view key;
        if (k.get_string().get(key) == simdjson::SUCCESS) deleted += view.erase(req.collection, key);
      }
    }
    return "{\"deleted\":" + std::to_string(deleted) + ",\"status\":\"ok\"}";
  }
  if (req.has("where")) throw_invalid("Delete by 'where' is not available in this build yet");
  throw_invalid("Missing 'keys' (string or array) or 'drop': true");
}

}  // namespace kiln
