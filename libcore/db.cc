#include "db.h"

#include <stdlib.h>

#include <algorithm>
#include <set>

#include "doc/json_parser.h"
#include "doc/json_writer.h"
#include "io/file_system.h"
#include "request/ops.h"
#include "request/request.h"
#include "snapshot/snapshot_format.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/names.h"
#include "wal/batch_codec.h"
#include "wal/wal.h"
#include "write/load_applier.h"
#include "write/txn_view.h"

namespace kiln {
namespace {

constexpr std::string_view kLockFile = "kiln.lock";

// Databases open in this process, by canonical path: flock would refuse a
// second handle anyway, but this names the real cause.
std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}
std::set<std::string>& registry() {
  static std::set<std::string> paths;
  return paths;
}

std::string canonical(const std::string& path) {
  char* real = ::realpath(path.c_str(), nullptr);
  if (!real) return path;
  std::string out = real;
  ::free(real);
  return out;
}

void append_uint(std::string& out, std::string_view name, uint64_t v) {
  out += '"';
  out += name;
  out += "\":";
  out += std::to_string(v);
}

void append_str(std::string& out, std::string_view name, std::string_view v) {
  out += '"';
  out += name;
  out += "\":";
  doc::write_json_string(v, out);
}

void append_time(std::string& out, std::string_view name, int64_t ms) {
  if (ms == 0) {
    out += '"';
    out += name;
    out += "\":null";
  } else {
    append_str(out, name, iso8601_utc(ms));
  }
}

// Announces a sync-mode writer to the log's group commit (Wal::writer_arriving)
// for the life of the scope, which must end before the writer waits.
class ArrivingWriter {
 public:
  explicit ArrivingWriter(wal::Wal* wal) : wal_(wal) {
    if (wal_) wal_->writer_arriving();
  }
  ~ArrivingWriter() {
    if (wal_) wal_->writer_left();
  }
  ArrivingWriter(const ArrivingWriter&) = delete;
  ArrivingWriter& operator=(const ArrivingWriter&) = delete;

 private:
  wal::Wal* wal_;
};

}  // namespace

std::unique_ptr<Db> Db::open(std::string_view path, const Options& options) {
  if (path.empty() && options.mode != Mode::kMemory) throw_invalid("A path is required unless mode is \"memory\"");
  std::unique_ptr<Db> db(new Db(options.mode == Mode::kMemory ? std::string() : std::string(path), options));
  if (options.mode != Mode::kMemory) db->open_files();
  return db;
}

Db::Db(std::string path, const Options& options)
    : path_(std::move(path)), options_(options), feed_(std::make_shared<ChangeFeed>(options.change_retention)) {}

Db::~Db() {
  try {
    close();
  } catch (...) {
    // Reported by close() to callers that asked; a destructor cannot throw.
  }
}

void Db::open_files() {
  fs_ = options_.fs ? options_.fs : &io::default_file_system();
  if (options_.read_only) {
    if (!fs_->exists(path_)) throw Error(Code::kIoError, "No database at '" + path_ + "' (opened read-only)");
  } else {
    fs_->make_dir(path_);
  }
  {
    std::string key = canonical(path_);
    std::lock_guard lock(registry_mu());
    if (!registry().insert(key).second) {
      throw Error(Code::kLocked, "The database at '" + path_ +
                                     "' is already open in this process; share that handle (it is thread-safe)");
    }
    registered_path_ = key;
  }
  std::string lock_path = io::join(path_, kLockFile);
  if (!options_.read_only || fs_->exists(lock_path)) lock_ = fs_->lock(lock_path, !options_.read_only);
  if (!options_.read_only) fs_->remove(io::join(path_, snapshot::kTempName));  // a snapshot that never finished

  std::string snap_path = io::join(path_, snapshot::kFileName);
  uint64_t snapshot_lsn = 0;
  LoadApplier loader(store_);
  if (fs_->exists(snap_path)) {
    snapshot::SnapshotInfo info =
        snapshot::read_snapshot_file(*fs_, snap_path, [&](std::vector<Mutation>&& ms) { loader.add(ms); });
    snapshot_info_ = info;
    has_snapshot_ = true;
    snapshot_lsn = info.lsn;
  }
  feed_->set_floor(snapshot_lsn);

  wal::WalOptions wopts;
  wopts.fs = fs_;
  wopts.dir = io::join(path_, "wal");
  wopts.archive_dir = options_.archive_wal ? io::join(path_, "archive") : "";
  wopts.segment_bytes = options_.segment_bytes;
  wopts.read_only = options_.read_only;
  wopts.async = options_.mode == Mode::kAsync;
  wopts.flush_interval_ms = options_.flush_interval_ms;
  wopts.max_pending_bytes = options_.async_max_pending_bytes;
  wopts.preallocate_bytes = options_.wal_preallocate_bytes;
  wal_ = wal::Wal::open(wopts, snapshot_lsn, [&](uint64_t lsn, int64_t ts, std::string_view payload) {
    WriteBatch batch;
    batch.mutations = wal::decode_batch(payload, "LSN " + std::to_string(lsn));
    batch.timestamp_ms = ts;
    loader.add(batch.mutations);
    feed_->publish(lsn, batch);
  });
  loader.finish();
  last_lsn_ = applied_lsn_ = wal_->last_lsn();
  feed_->set_deliverable(last_lsn_);
  wal_->set_durable_listener([feed = feed_.get()](uint64_t lsn) { feed->set_deliverable(lsn); });
  if (!options_.read_only && options_.compaction_ratio > 0) {
    compactor_ = std::thread([this] { compaction_loop(); });
  }
}

void Db::close() {
  if (closed_) return;
  closed_ = true;
  {
    std::lock_guard lock(compact_mu_);
    compact_stop_ = true;
    compact_cv_.notify_all();
  }
  if (compactor_.joinable()) compactor_.join();
  snapshot_at_close();
  std::optional<Error> first;
  if (wal_) {
    try {
      wal_->close();
    } catch (const Error& e) {
      first = e;
    }
  }
  feed_->stop();
  lock_.reset();
  if (!registered_path_.empty()) {
    std::lock_guard lock(registry_mu());
    registry().erase(registered_path_);
    registered_path_.clear();
  }
  if (first) throw *first;
}

std::string Db::execute(std::string_view request_json) {
  simdjson::dom::element root = doc::parse_json(request_json, options_.limits);
  simdjson::dom::object body;
  if (root.get_object().get(body) != simdjson::SUCCESS) throw_invalid("Invalid request: expected a JSON object");
  Request req = make_request(body, options_.limits, now_millis());

  if (req.op == "get" || req.op == "aggregate" || req.op == "indexes") {
    std::shared_lock lock(state_mu_);
    if (req.op == "aggregate") return run_aggregate(req, store_);
    if (req.op == "indexes") return run_indexes(req, store_);
    return run_get(req, store_);
  }
  if (req.op == "stats") return run_stats(req);
  if (req.op == "changes") return run_changes(req);
  if (req.op == "snapshot") {
    check_properties(req, {});
    return run_snapshot();
  }
  return execute_write(req);
}

void Db::check_writable() const {
  if (options_.read_only) throw Error(Code::kReadOnly, "The database was opened read-only");
  if (wal_) {
    std::string message;
    Code code = wal_->failure(&message);
    if (code != Code::kOk) throw Error(code, message);
  }
}

std::string Db::execute_write(const Request& req) {
  uint64_t lsn;
  bool wait = false;
  std::string response;
  {
    ArrivingWriter arriving(group_commit_wal());
    std::lock_guard lock(write_mu_);
    TxnView view(store_, req.now_ms);
    response = req.op == "batch" ? plan_batch(req, view) : plan_write(req, view);
    check_writable();
    lsn = commit(view.take_batch(), &wait);
  }
  finish_commit(lsn, wait);
  return response;
}

std::string Db::plan_write(const Request& req, TxnView& view) {
  if (req.op == "set") return run_set(req, view);
  if (req.op == "update") return run_update(req, view);
  if (req.op == "delete") return run_delete(req, view);
  if (req.op == "index") return run_index(req, view);
  if (req.op == "drop_index") return run_drop_index(req, view);
  if (req.op == "schema") return run_schema(req, view);
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

uint64_t Db::commit(WriteBatch batch, bool* wait) {
  if (batch.empty()) return 0;
  uint64_t lsn = last_lsn_ + 1;
  if (wal_) {
    bool backpressure = wal_->append_encoded(lsn, batch.timestamp_ms, [&](std::string& out) {
      wal::encode_batch(batch.mutations, out);
    });  // throws: nothing applied
    *wait = backpressure || options_.mode == Mode::kSync;
  }
  last_lsn_ = lsn;
  {
    std::unique_lock lock(state_mu_);
    apply(batch, store_);
    applied_lsn_ = lsn;
  }
  feed_->publish(lsn, batch);
  if (options_.mode != Mode::kSync) feed_->set_deliverable(lsn);
  return lsn;
}

void Db::finish_commit(uint64_t lsn, bool wait) {
  if (lsn == 0) return;
  if (wait) wal_->wait_durable(lsn);  // throws if the log failed: the write is not acknowledged
  maybe_compact();
}

// Every write checks its names, so a stored collection or key has valid
// ones: a read checks them only when it finds nothing, to answer an invalid
// name with InvalidArgument rather than "not found".
const DocRecord* Db::find_checked(std::string_view collection, std::string_view key) const {
  const Collection* coll = store_.find(collection);
  const DocRecord* r = coll ? coll->find_raw(key) : nullptr;
  if (!r) {
    check_collection_name(collection);
    check_key(key);
  }
  return r;
}

bool Db::get(std::string_view collection, std::string_view key, std::string& out_json) const {
  return read_record(collection, key, [&](const DocRecord& r) { doc::write_json(r.value(), out_json); });
}

uint64_t Db::put(std::string_view collection, std::string_view key, std::string_view doc_json) {
  check_collection_name(collection);
  check_key(key);
  uint64_t version = 0;
  uint64_t lsn;
  bool wait = false;
  {
    ArrivingWriter arriving(group_commit_wal());
    simdjson::dom::element doc = doc::parse_json(doc_json, options_.limits);
    doc::check_depth(doc, options_.limits);
    int64_t now = now_millis();
    std::string now_iso = iso8601_utc(now);
    std::lock_guard lock(write_mu_);
    TxnView view(store_, now);
    DocRef record = plan_set_item(collection, key, doc, view.reader(), now_iso, &version);
    view.put(collection, std::move(record), version);
    check_writable();
    lsn = commit(view.take_batch(), &wait);
  }
  finish_commit(lsn, wait);
  return version;
}

wal::Wal* Db::group_commit_wal() const {
  return options_.mode == Mode::kSync && !options_.read_only ? wal_.get() : nullptr;
}

void Db::flush() {
  if (wal_ && !options_.read_only) wal_->flush();
}

// ---- Snapshots and compaction ---------------------------------------------

snapshot::SnapshotInfo Db::take_snapshot() {
  std::lock_guard one_at_a_time(snapshot_mu_);
  check_writable();
  snapshot::Contents contents;
  {
    // A consistent cut: every record up to applied_lsn_ is in the Store and
    // no later one is. Copying DocRefs is quick; serializing happens after.
    std::shared_lock lock(state_mu_);
    contents.lsn = applied_lsn_;
    contents.definitions = store_.definitions();
    for (const std::string& name : store_.names()) {
      std::vector<DocRef> docs;
      const Collection* coll = store_.find(name);
      docs.reserve(coll->size());
      coll->for_each([&](const DocRef& r) { docs.push_back(r); });
      contents.collections.emplace_back(name, std::move(docs));
    }
  }
  // Slots keep insertion order, often key order already (keys loaded in
  // order): checking that is linear, the sort is not.
  auto by_key = [](const DocRef& a, const DocRef& b) { return a->key() < b->key(); };
  for (auto& [name, docs] : contents.collections) {
    if (!std::is_sorted(docs.begin(), docs.end(), by_key)) std::sort(docs.begin(), docs.end(), by_key);
  }
  uint64_t previous_lsn;
  {
    std::lock_guard lock(info_mu_);
    previous_lsn = snapshot_info_.lsn;
  }
  snapshot::SnapshotInfo info =
      snapshot::install_snapshot(*fs_, path_, contents, previous_lsn, options_.backups_kept);
  {
    std::lock_guard lock(info_mu_);
    snapshot_info_ = info;
    has_snapshot_ = true;
  }
  // Only now that the snapshot is durable may the log it covers go.
  wal_->roll();
  wal_->remove_covered(info.lsn);
  return info;
}

std::string Db::run_snapshot() {
  if (!wal_) throw_invalid("A memory database has no files to snapshot");
  check_writable();
  snapshot::SnapshotInfo info = take_snapshot();
  std::string out = "{";
  append_uint(out, "bytes", info.bytes);
  out += ',';
  append_uint(out, "entries", info.entries);
  out += ',';
  append_uint(out, "lsn", info.lsn);
  out += ",\"status\":\"ok\"}";
  return out;
}

// Compacts when the log outgrows `compaction_ratio` x the documents' size in
// RAM (what a snapshot would hold, uncompressed). Comparing with the data
// rather than with the last (compressed) snapshot keeps every snapshot's cost
// paid for by at least ratio x its size of new log, and lets a bulk load of
// new documents - whose log is the data itself - stream without rewriting
// ever larger snapshots. Bound: the log (what recovery replays) stays below
// max(compaction_min_bytes, ratio x data) plus what arrives during a snapshot.
bool Db::log_and_data(uint64_t* log_bytes, uint64_t* data_bytes) const {
  if (!wal_ || options_.compaction_ratio <= 0 || options_.read_only) return false;
  *log_bytes = wal_->bytes();
  if (*log_bytes < options_.compaction_min_bytes) return false;
  std::shared_lock lock(state_mu_);
  *data_bytes = store_.bytes_in_ram();
  return true;
}

void Db::maybe_compact() {
  uint64_t log_bytes, data_bytes;
  if (!log_and_data(&log_bytes, &data_bytes)) return;
  if (static_cast<double>(log_bytes) <= options_.compaction_ratio * static_cast<double>(data_bytes)) return;
  std::lock_guard lock(compact_mu_);
  compact_requested_ = true;
  compact_cv_.notify_all();
}

// A load leaves its log uncompacted (see maybe_compact): closing writes it
// into one snapshot, once, so that the files shrink to the compressed data
// and the next open reads a snapshot instead of replaying the log. Only when
// the log is at least half the data, so that a few changes to a large
// database do not make close() rewrite all of it. A failure loses nothing
// (the log stays) and does not fail close().
void Db::snapshot_at_close() {
  uint64_t log_bytes, data_bytes;
  if (!log_and_data(&log_bytes, &data_bytes) || 2 * log_bytes < data_bytes) return;
  try {
    take_snapshot();
  } catch (const std::exception&) {
    // The log is intact; the next open replays it.
  }
}

void Db::compaction_loop() {
  std::unique_lock lock(compact_mu_);
  while (true) {
    compact_cv_.wait(lock, [&] { return compact_stop_ || compact_requested_; });
    if (compact_stop_) return;
    compact_requested_ = false;
    lock.unlock();
    std::string error;
    try {
      take_snapshot();
    } catch (const std::exception& e) {
      error = e.what();  // the log is intact: nothing is lost, the next trigger retries
    }
    {
      std::lock_guard info(info_mu_);
      compactions_++;
      compaction_error_ = error;
    }
    lock.lock();
  }
}

// ---- stats and changes ------------------------------------------------------

std::string Db::run_stats(const Request& req) const {
  check_properties(req, {});
  std::string out = "{";
  uint64_t docs_total = 0, bytes_total = 0;
  std::string colls = "\"collections\":{";
  uint64_t applied;
  {
    std::shared_lock lock(state_mu_);
    applied = applied_lsn_;
    bool first = true;
    for (const std::string& name : store_.names()) {
      const Collection* c = store_.find(name);
      if (!first) colls += ',';
      first = false;
      doc::write_json_string(name, colls);
      colls += ":{";
      append_uint(colls, "bytes_in_ram", c->bytes_in_ram());
      colls += ',';
      append_uint(colls, "documents", c->size());
      colls += '}';
      docs_total += c->size();
      bytes_total += c->bytes_in_ram();
    }
  }
  colls += '}';
  append_uint(out, "bytes_in_ram", bytes_total);
  out += ",\"changes\":{";
  append_uint(out, "oldest_lsn", feed_->oldest_retained_lsn());
  out += ',';
  append_uint(out, "retention", options_.change_retention);
  out += "},";
  out += colls;
  out += ',';
  {
    std::lock_guard lock(info_mu_);
    out += "\"compaction\":{";
    append_uint(out, "runs", compactions_);
    out += ",\"last_error\":";
    if (compaction_error_.empty()) out += "null";
    else doc::write_json_string(compaction_error_, out);
    out += "},";
    append_uint(out, "documents", docs_total);
    out += ',';
    append_uint(out, "lsn", applied);
    out += ',';
    append_str(out, "mode", mode_name(options_.mode));
    out += ",\"read_only\":";
    out += options_.read_only ? "true" : "false";
    out += ",\"snapshot\":";
    if (!has_snapshot_) {
      out += "null";
    } else {
      out += '{';
      append_uint(out, "bytes", snapshot_info_.bytes);
      out += ',';
      append_time(out, "created", snapshot_info_.created_ms);
      out += ',';
      append_uint(out, "entries", snapshot_info_.entries);
      out += ',';
      append_uint(out, "lsn", snapshot_info_.lsn);
      out += '}';
    }
  }
  out += ",\"status\":\"ok\",\"wal\":";
  if (!wal_) {
    out += "null";
  } else {
    wal::WalStats w = wal_->stats();
    std::string failure;
    Code code = wal_->failure(&failure);
    out += '{';
    append_uint(out, "bytes", w.bytes);
    out += ',';
    append_uint(out, "durable_lsn", w.durable_lsn);
    out += ",\"failure\":";
    if (code == Code::kOk) out += "null";
    else doc::write_json_string(failure, out);
    out += ',';
    append_uint(out, "flushes", w.flushes);
    out += ',';
    append_time(out, "last_flush", w.last_flush_ms);
    out += ',';
    append_uint(out, "preallocate_failures", w.preallocate_failures);
    out += ',';
    append_uint(out, "segments", w.segments);
    out += ',';
    append_uint(out, "torn_tail_bytes_cut", w.torn_bytes_cut);
    if (w.torn_bytes_cut) {
      out += ',';
      append_str(out, "torn_tail_file", w.torn_file);
      out += ',';
      append_str(out, "torn_tail_reason", w.torn_reason);
    }
    out += '}';
  }
  out += '}';
  return out;
}

std::string Db::run_changes(const Request& req) const {
  check_properties(req, {"since", "limit", "collection"});
  uint64_t since;
  if (req.member("since").get_uint64().get(since) != simdjson::SUCCESS) {
    throw_invalid("Missing 'since' (the LSN after which changes are wanted; 0 for all retained)");
  }
  uint64_t limit = 1000;
  if (req.has("limit") && (req.member("limit").get_uint64().get(limit) != simdjson::SUCCESS || limit == 0)) {
    throw_invalid("Invalid 'limit': expected a positive integer");
  }
  std::string_view only;
  if (req.has("collection")) check_collection_name(req.collection), only = req.collection;
  uint64_t complete_to = 0;
  std::vector<ChangeEvent> events = feed_->changes_since(since, limit, &complete_to);
  std::string out = "{\"changes\":[";
  bool first = true;
  for (const ChangeEvent& e : events) {
    if (!only.empty() && e.collection != only) continue;
    if (!first) out += ',';
    first = false;
    out += '{';
    append_str(out, "collection", e.collection);
    out += ',';
    append_str(out, "key", e.key);
    out += ',';
    append_uint(out, "lsn", e.lsn);
    out += ",\"new_v\":";
    out += e.new_v ? std::to_string(*e.new_v) : "null";
    out += '}';
  }
  out += "],";
  append_uint(out, "last_lsn", complete_to);
  out += ",\"status\":\"ok\"}";
  return out;
}

}  // namespace kiln
