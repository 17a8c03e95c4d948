// The engines the benchmark drives through one interface: kilndb (C API
// only), SQLite, LMDB and a std::unordered_map ceiling. Each adapter uses its
// engine the way a careful C/C++ application would; the settings are stated
// in durability() strings and in BENCHMARKS.md.
#pragma once

#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/datagen.h"

namespace kbench {

// kilndb answered "not available in this build yet" (or does not know the
// op): the row is reported as n/a, never faked.
struct NotLanded : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// The engine cannot do this at all (e.g. LMDB has no secondary index).
struct NotSupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// An engine call failed or an answer was wrong: the run fails.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bytes handed to the caller, who frees them with release().
struct OwnedText {
  char* data = nullptr;
  size_t len = 0;
  void (*release)(void*) = std::free;
  std::string_view view() const { return {data, len}; }
  void reset() {
    if (data) release(data);
    data = nullptr;
    len = 0;
  }
};

enum class QueryKind { kFilter, kTop };

// A query answer in the engine's native form: JSON text (kilndb) or rows
// (peers, read column by column as a C caller would).
struct Answer {
  OwnedText json;
  bool is_json = false;
  std::vector<Row> rows;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;

  // The main database at `dir` (a directory the engine owns).
  virtual void open_bulk(const std::string& dir) = 0;
  virtual std::string bulk_durability() const = 0;
  virtual void put_batch(const Batch& batch) = 0;  // one committed transaction
  virtual void end_bulk() {}                        // timed with the bulk load
  virtual OwnedText get(std::string_view key) = 0;  // Failure if missing
  virtual Answer query(QueryKind kind) = 0;
  virtual void create_city_index() = 0;
  virtual bool persistent() const = 0;  // false: close/reopen/disk rows are n/a
  virtual std::string not_persistent_reason() const { return "in-RAM only"; }
  virtual void close() = 0;
  virtual void reopen(const std::string& dir) = 0;

  // Durable single inserts into a separate, fresh database.
  virtual void open_singles(const std::string& dir, int threads) = 0;
  virtual std::string singles_durability() const = 0;
  virtual void put_single(int thread, std::string_view key, std::string_view json) = 0;  // thread-safe
  virtual void close_singles() = 0;
};

struct EngineOptions {
  uint64_t n = 0;  // documents in the main database (sizes the LMDB map)
};

std::unique_ptr<Engine> make_kiln_engine(const EngineOptions& o);
std::unique_ptr<Engine> make_sqlite_engine(const EngineOptions& o);
std::unique_ptr<Engine> make_lmdb_engine(const EngineOptions& o);
std::unique_ptr<Engine> make_map_engine(const EngineOptions& o);
std::unique_ptr<Engine> make_engine(const std::string& name, const EngineOptions& o);  // nullptr if unknown

// Full-scan filter over JSON texts with simdjson (LMDB and the map ceiling):
// city == kQueryCity AND age > kQueryMinAge, keeping key, name, age, score.
class JsonScan {
 public:
  JsonScan();
  ~JsonScan();
  void consider(std::string_view key, std::string_view json);  // Failure on bad JSON
  std::vector<Row> take(QueryKind kind);  // kTop: score desc, key asc, first kTopN

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kbench
