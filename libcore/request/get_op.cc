// get: documents by key, or a query (QUERY.md "get — query"), on top of the
// query pipeline (query/executor.h).
#include <algorithm>
#include <vector>

#include "doc/json_parser.h"
#include "query/executor.h"
#include "request/ops.h"
#include "util/error.h"

namespace kiln {
namespace {

[[noreturn]] void not_found() { throw Error(Code::kNotFound, "No documents found"); }

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
  query::Query q = query::parse_query(req);  // reports malformed where operators

  const Collection* coll = store.find(req.collection);
  simdjson::dom::element keys;
  bool has_keys = req.member("keys").get(keys) == simdjson::SUCCESS;
  bool single = has_keys && keys.is_string();
  std::vector<const DocRecord*> records;
  if (single) {
    // One key: the bare document (no _key); where and projection apply,
    // sort/count/offset do not (rc2).
    const DocRecord* r = coll ? coll->find_raw(keys.get_string().value_unsafe()) : nullptr;
    if (!r) not_found();
    records.push_back(r);
    q.sort.clear();
    q.count.reset();
    q.offset = 0;
  } else if (has_keys && keys.is_array()) {
    for (simdjson::dom::element k : doc::as_array(keys)) {
      std::string_view key;
      if (k.get_string().get(key) != simdjson::SUCCESS || !coll) continue;
      const DocRecord* r = coll->find_raw(key);
      // Request order; a key named twice counts once.
      if (r && std::find(records.begin(), records.end(), r) == records.end()) records.push_back(r);
    }
  }
  if (q.count && *q.count == 0) not_found();  // QUERY.md: count 0 -> NOT_FOUND
  if (!coll) not_found();

  query::Executor ex(q, store, coll);
  bool matched = false;
  bool by_keys = single || (has_keys && keys.is_array());
  std::vector<query::Hit> hits = ex.run(by_keys ? &records : nullptr, &matched);
  if (!matched) not_found();
  if (hits.empty()) return "[]";  // offset past the end of a non-empty result
  std::string out;
  ex.write(hits, single, out);
  return out;
}

}  // namespace kiln
