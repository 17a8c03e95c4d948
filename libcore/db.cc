#include "db.h"

#include "doc/json_parser.h"
#include "doc/json_writer.h"
#include "request/ops.h"
#include "request/request.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/names.h"
#include "write/txn_view.h"

namespace kiln {

std::unique_ptr<Db> Db::open(std::string_view path, const Options& options) {
  if (options.mode != Mode::kMemory) {
    // Until the write-ahead log lands, accepting a durable mode would be a
    // promise the engine cannot keep.
    throw_invalid("Mode '" + std::string(mode_name(options.mode)) +
                  "' is not available in this build yet; use {\"mode\":\"memory\"}");
  }
  if (path.empty() && options.mode != Mode::kMemory) throw_invalid("A path is required unless mode is \"memory\"");
  return std::unique_ptr<Db>(new Db(std::string(path), options));
}

Db::Db(std::string path, const Options& options) : path_(std::move(path)), options_(options) {}

Db::~Db() = default;

std::string Db::execute(std::string_view request_json) {
  simdjson::dom::element root = doc::parse_json(request_json, options_.limits);
  simdjson::dom::object body;
  if (root.get_object().get(body) != simdjson::SUCCESS) throw_invalid("Invalid request: expected a JSON object");
  Request req = make_request(body, options_.limits, now_millis());

  if (req.op == "get") {
    std::shared_lock lock(state_mu_);
    return run_get(req, store_);
  }
  return execute_write(req);
}

std::string Db::execute_write(const Request& req) {
  std::lock_guard lock(write_mu_);
  TxnView view(store_, req.now_ms);
  std::string response = req.op == "batch" ? plan_batch(req, view) : plan_write(req, view);
  commit(view.take_batch());
  return response;
}

std::string Db::plan_write(const Request& req, TxnView& view) {
  if (req.op == "set") return run_set(req, view);
  if (req.op == "update") return run_update(req, view);
  if (req.op == "delete") return run_delete(req, view);
  throw_invalid("Unknown op: '" + std::string(req.op) + "'. Use set, update, delete, get or batch");
}

std::string Db::plan_batch(const Request& req, TxnView& view) {
  check_properties(req, {"ops"});
  simdjson::dom::array ops;
  if (req.member("ops").get(ops) != simdjson::SUCCESS) throw_invalid("Missing 'ops' (array of write requests)");
  std::string results;
  size_t index = 0;
  for (simdjson::dom::element item : ops) {
    std::string where = "batch ops[" + std::to_string(index++) + "]: ";
    simdjson::dom::object body;
    if (item.get_object().get(body) != simdjson::SUCCESS) throw_invalid(where + "expected a request object");
    try {
      Request sub = make_request(body, *req.limits, req.now_ms);
      if (sub.op != "set" && sub.op != "update" && sub.op != "delete") {
        throw_invalid("only set, update and delete can be batched");
      }
      results += results.empty() ? "" : ",";
      results += plan_write(sub, view);
    } catch (const Error& e) {
      throw Error(e.code(), where + e.what());
    }
  }
  return "{\"results\":[" + results + "],\"status\":\"ok\"}";
}

void Db::commit(WriteBatch batch) {
  if (batch.empty()) return;
  std::unique_lock lock(state_mu_);
  apply(batch, store_);
}

bool Db::get(std::string_view collection, std::string_view key, std::string& out_json) const {
  check_collection_name(collection);
  check_key(key);
  std::shared_lock lock(state_mu_);
  const Collection* coll = store_.find(collection);
  const DocRecord* r = coll ? coll->find_raw(key) : nullptr;
  if (!r) return false;
  doc::write_json(r->value(), out_json);
  return true;
}

uint64_t Db::put(std::string_view collection, std::string_view key, std::string_view doc_json) {
  check_collection_name(collection);
  check_key(key);
  simdjson::dom::element doc = doc::parse_json(doc_json, options_.limits);
  doc::check_depth(doc, options_.limits);
  int64_t now = now_millis();
  std::string now_iso = iso8601_utc(now);
  std::lock_guard lock(write_mu_);
  TxnView view(store_, now);
  uint64_t version = 0;
  view.put(collection, plan_set_item(collection, key, doc, view, now_iso, &version));
  commit(view.take_batch());
  return version;
}

}  // namespace kiln
