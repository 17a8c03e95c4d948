// Db: one open database. The single place that orders a write:
// parse -> validate and plan (WriteBatch) -> [log] -> apply to RAM.
//
// Concurrency: writers are serialized by write_mu_ and plan against the
// Store without blocking readers; only the apply step takes state_mu_
// exclusively. Readers share state_mu_, so reads run in parallel and never
// wait for a write's planning.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>

#include "util/rw_mutex.h"
#include <string>
#include <string_view>

#include "options.h"
#include "store/store.h"
#include "write/write_batch.h"

namespace kiln {

class Db {
 public:
  // path is empty for an in-memory database.
  static std::unique_ptr<Db> open(std::string_view path, const Options& options);
  ~Db();

  // Runs one request (QUERY.md) and returns the response body. Throws
  // kiln::Error; KILN_NOT_FOUND outcomes are Error(kNotFound) too.
  std::string execute(std::string_view request_json);

  // Hot paths. get returns false when the document is absent.
  bool get(std::string_view collection, std::string_view key, std::string& out_json) const;
  uint64_t put(std::string_view collection, std::string_view key, std::string_view doc_json);

  const Options& options() const { return options_; }

 private:
  Db(std::string path, const Options& options);

  std::string execute_write(const struct Request& req);
  std::string plan_write(const struct Request& req, class TxnView& view);
  std::string plan_batch(const struct Request& req, class TxnView& view);
  void commit(WriteBatch batch);

  const std::string path_;
  const Options options_;
  std::mutex write_mu_;
  mutable RwMutex state_mu_;
  Store store_;
};

}  // namespace kiln
