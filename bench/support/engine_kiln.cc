// kilndb through its C API only (kiln.h).
#include <kiln.h>

#include <string>

#include "support/engines.h"

namespace kbench {
namespace {

constexpr std::string_view kColl = "docs";

// A feature the engine does not have yet answers INVALID_ARGUMENT with
// "... is not available in this build yet" (or, for a new op, "Unknown op").
bool feature_missing(int32_t status, const kiln_error* err) {
  if (status != KILN_INVALID_ARGUMENT) return false;
  std::string_view msg = kiln_error_message(err);
  return msg.find("not available") != std::string_view::npos || msg.rfind("Unknown op", 0) == 0;
}

[[noreturn]] void fail(std::string_view what, int32_t status, kiln_error* err) {
  std::string msg = std::string(what) + ": " + kiln_status_name(status) + " " + kiln_error_message(err);
  bool missing = feature_missing(status, err);
  kiln_error_free(err);
  if (missing) throw NotLanded(msg);
  throw Failure("kilndb " + msg);
}

void kiln_release(void* p) { kiln_free(p); }

std::string query_request(QueryKind kind) {
  std::string r = R"({"op":"get","collection":"docs","where":{"city":")" + std::string(kQueryCity) +
                  R"(","age":{"$gt":)" + std::to_string(kQueryMinAge) + R"(}},"fields":["name","age"])";
  if (kind == QueryKind::kTop) r += R"(,"sort":[{"field":"score","order":"desc"}],"count":)" + std::to_string(kTopN);
  return r + "}";
}

class KilnEngine final : public Engine {
 public:
  ~KilnEngine() override {
    kiln_close(db_);
    kiln_close(singles_);
  }
  std::string name() const override { return "kilndb"; }

  void open_bulk(const std::string& dir) override {
    // Async mode when the engine has it; memory mode otherwise (said so).
    kiln_error* err = nullptr;
    int32_t st = kiln_open(dir.c_str(), R"({"mode":"async"})", &db_, &err);
    if (st == KILN_OK) {
      mode_ = "async";
      return;
    }
    if (!feature_missing(st, err)) fail("open async", st, err);
    kiln_error_free(err);
    err = nullptr;
    st = kiln_open(nullptr, R"({"mode":"memory"})", &db_, &err);
    if (st != KILN_OK) fail("open memory", st, err);
    mode_ = "memory";
  }
  std::string bulk_durability() const override {
    return mode_ == "async" ? "async mode: each batch is one WAL record handed to the OS; background fdatasync every 50 ms (default)"
                            : "memory mode, no files (async mode not landed)";
  }

  void put_batch(const Batch& b) override {
    request_.clear();
    request_.append(R"({"op":"set","collection":"docs","data":{)");
    for (size_t i = 0; i < b.keys.size(); ++i) {
      if (i) request_.push_back(',');
      request_.push_back('"');
      request_.append(b.keys[i]);
      request_.append("\":");
      request_.append(b.json[i]);
    }
    request_.append("}}");
    char* out = nullptr;
    size_t out_len = 0;
    kiln_error* err = nullptr;
    int32_t st = kiln_execute(db_, request_.data(), request_.size(), &out, &out_len, &err);
    if (st != KILN_OK) fail("set batch", st, err);
    std::string expect = "\"count\":" + std::to_string(b.keys.size());
    bool ok = std::string_view(out, out_len).find(expect) != std::string_view::npos;
    kiln_free(out);
    if (!ok) throw Failure("WRONG ANSWER: kilndb set batch did not report " + expect);
  }

  OwnedText get(std::string_view key) override {
    OwnedText t;
    t.release = kiln_release;
    kiln_error* err = nullptr;
    int32_t st = kiln_get(db_, kColl.data(), kColl.size(), key.data(), key.size(), &t.data, &t.len, &err);
    if (st != KILN_OK) fail("get " + std::string(key), st, err);
    return t;
  }

  Answer query(QueryKind kind) override {
    std::string& req = kind == QueryKind::kTop ? top_req_ : filter_req_;
    Answer a;
    a.is_json = true;
    a.json.release = kiln_release;
    kiln_error* err = nullptr;
    int32_t st = kiln_execute(db_, req.data(), req.size(), &a.json.data, &a.json.len, &err);
    if (st == KILN_NOT_FOUND) {
      kiln_error_free(err);
      return a;  // no rows; the check compares with the expected answer
    }
    if (st != KILN_OK) fail(kind == QueryKind::kTop ? "top-20 query" : "filter query", st, err);
    return a;
  }

  void create_city_index() override {
    std::string req = R"({"op":"index","collection":"docs","field":"city"})";
    char* out = nullptr;
    kiln_error* err = nullptr;
    int32_t st = kiln_execute(db_, req.data(), req.size(), &out, nullptr, &err);
    if (st != KILN_OK) fail("create index", st, err);
    kiln_free(out);
  }

  bool persistent() const override { return mode_ != "memory"; }
  std::string not_persistent_reason() const override { return "engine feature not landed (memory mode only)"; }

  void close() override {
    int32_t st = kiln_close(db_);
    db_ = nullptr;
    if (st != KILN_OK) throw Failure(std::string("kilndb close: ") + kiln_status_name(st));
  }

  void reopen(const std::string& dir) override {
    kiln_error* err = nullptr;
    std::string opts = R"({"mode":")" + mode_ + "\"}";
    int32_t st = kiln_open(dir.c_str(), opts.c_str(), &db_, &err);
    if (st != KILN_OK) fail("reopen", st, err);
  }

  void open_singles(const std::string& dir, int) override {
    kiln_error* err = nullptr;
    int32_t st = kiln_open(dir.c_str(), R"({"mode":"sync"})", &singles_, &err);
    if (st != KILN_OK) fail("open sync", st, err);
  }
  std::string singles_durability() const override {
    return "sync mode: each put returns after its WAL record is fdatasynced (concurrent puts share one fsync)";
  }
  void put_single(int, std::string_view key, std::string_view json) override {
    kiln_error* err = nullptr;
    int32_t st = kiln_put(singles_, kColl.data(), kColl.size(), key.data(), key.size(), json.data(), json.size(),
                          nullptr, &err);
    if (st != KILN_OK) fail("put", st, err);
  }
  void close_singles() override {
    int32_t st = kiln_close(singles_);
    singles_ = nullptr;
    if (st != KILN_OK) throw Failure(std::string("kilndb close: ") + kiln_status_name(st));
  }

 private:
  kiln_db* db_ = nullptr;
  kiln_db* singles_ = nullptr;
  std::string mode_;
  std::string request_;
  std::string filter_req_ = query_request(QueryKind::kFilter);
  std::string top_req_ = query_request(QueryKind::kTop);
};

}  // namespace

std::unique_ptr<Engine> make_kiln_engine(const EngineOptions&) { return std::make_unique<KilnEngine>(); }

}  // namespace kbench
