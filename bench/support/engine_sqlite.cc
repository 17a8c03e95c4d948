// SQLite (Debian's libsqlite3): documents as JSON text in a WITHOUT ROWID
// table keyed by the document key, WAL mode, json_extract filters.
#include <sqlite3.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "support/engines.h"

namespace kbench {
namespace {

constexpr const char* kSchema = "CREATE TABLE IF NOT EXISTS docs(key TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID";
constexpr const char* kFilterSql =
    "SELECT key, json_extract(doc,'$.name'), json_extract(doc,'$.age') FROM docs "
    "WHERE json_extract(doc,'$.city') = ?1 AND json_extract(doc,'$.age') > ?2";
constexpr const char* kTopSql =
    "SELECT key, json_extract(doc,'$.name'), json_extract(doc,'$.age') FROM docs "
    "WHERE json_extract(doc,'$.city') = ?1 AND json_extract(doc,'$.age') > ?2 "
    "ORDER BY json_extract(doc,'$.score') DESC, key ASC LIMIT 20";

void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw Failure(std::string("sqlite ") + what + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
  }
}

void exec(sqlite3* db, const char* sql) { check(db, sqlite3_exec(db, sql, nullptr, nullptr, nullptr), sql); }

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(db, sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), sql);
  return s;
}

sqlite3* open_db(const std::string& dir, const char* synchronous) {
  std::filesystem::create_directories(dir);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2((dir + "/db.sqlite").c_str(), &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    throw Failure("sqlite open: " + msg);
  }
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, (std::string("PRAGMA synchronous=") + synchronous).c_str());
  exec(db, "PRAGMA cache_size=-65536");  // 64 MiB page cache (default is 2 MiB)
  check(db, sqlite3_busy_timeout(db, 30000), "busy_timeout");
  return db;
}

char* copy_text(const unsigned char* p, int n) {
  char* out = static_cast<char*>(std::malloc(static_cast<size_t>(n) + 1));
  if (!out) throw Failure("out of memory");
  std::memcpy(out, p, static_cast<size_t>(n));
  out[n] = '\0';
  return out;
}

class SqliteEngine final : public Engine {
 public:
  ~SqliteEngine() override {
    finalize_main();
    sqlite3_close(db_);
    close_singles_noexcept();
  }
  std::string name() const override { return "sqlite"; }

  void open_bulk(const std::string& dir) override {
    db_ = open_db(dir, "NORMAL");
    exec(db_, kSchema);
    prepare_main();
  }
  std::string bulk_durability() const override {
    return "WAL, synchronous=NORMAL: committed per batch, fsync at checkpoints (not per batch)";
  }

  void put_batch(const Batch& b) override {
    exec(db_, "BEGIN");
    for (size_t i = 0; i < b.keys.size(); ++i) {
      sqlite3_bind_text(insert_, 1, b.keys[i].data(), static_cast<int>(b.keys[i].size()), SQLITE_STATIC);
      sqlite3_bind_text(insert_, 2, b.json[i].data(), static_cast<int>(b.json[i].size()), SQLITE_STATIC);
      check(db_, sqlite3_step(insert_), "insert");
      sqlite3_reset(insert_);
    }
    exec(db_, "COMMIT");
  }

  OwnedText get(std::string_view key) override {
    sqlite3_bind_text(get_, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    int rc = sqlite3_step(get_);
    if (rc != SQLITE_ROW) {
      sqlite3_reset(get_);
      check(db_, rc, "get");
      throw Failure("sqlite get: missing key " + std::string(key));
    }
    OwnedText t;
    int n = sqlite3_column_bytes(get_, 0);
    t.data = copy_text(sqlite3_column_text(get_, 0), n);
    t.len = static_cast<size_t>(n);
    sqlite3_reset(get_);
    return t;
  }

  Answer query(QueryKind kind) override {
    sqlite3_stmt* s = kind == QueryKind::kTop ? top_ : filter_;
    sqlite3_bind_text(s, 1, kQueryCity.data(), static_cast<int>(kQueryCity.size()), SQLITE_STATIC);
    sqlite3_bind_int(s, 2, kQueryMinAge);
    Answer a;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
      Row r;
      r.key.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), static_cast<size_t>(sqlite3_column_bytes(s, 0)));
      r.name.assign(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)), static_cast<size_t>(sqlite3_column_bytes(s, 1)));
      r.age = sqlite3_column_int64(s, 2);
      a.rows.push_back(std::move(r));
    }
    sqlite3_reset(s);
    check(db_, rc, "query");
    return a;
  }

  void create_city_index() override { exec(db_, "CREATE INDEX docs_city ON docs(json_extract(doc,'$.city'))"); }

  bool persistent() const override { return true; }

  void close() override {
    finalize_main();
    int rc = sqlite3_close(db_);
    db_ = nullptr;
    if (rc != SQLITE_OK) throw Failure("sqlite close failed");
  }

  void reopen(const std::string& dir) override {
    db_ = open_db(dir, "NORMAL");
    prepare_main();
  }

  void open_singles(const std::string& dir, int threads) override {
    // One connection per writer thread, as SQLite recommends.
    for (int t = 0; t < threads; ++t) {
      sqlite3* c = open_db(dir, "FULL");
      if (t == 0) exec(c, kSchema);
      singles_.push_back(Conn{c, prepare(c, "INSERT INTO docs(key, doc) VALUES(?1, ?2)")});
    }
  }
  std::string singles_durability() const override {
    return "WAL, synchronous=FULL: each autocommit INSERT fsyncs the WAL; one connection per thread, busy_timeout";
  }
  void put_single(int thread, std::string_view key, std::string_view json) override {
    Conn& c = singles_[static_cast<size_t>(thread)];
    sqlite3_bind_text(c.insert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
    sqlite3_bind_text(c.insert, 2, json.data(), static_cast<int>(json.size()), SQLITE_STATIC);
    int rc = sqlite3_step(c.insert);
    sqlite3_reset(c.insert);
    check(c.db, rc, "single insert");
  }
  void close_singles() override { close_singles_noexcept(); }

 private:
  struct Conn {
    sqlite3* db;
    sqlite3_stmt* insert;
  };

  void prepare_main() {
    insert_ = prepare(db_, "INSERT INTO docs(key, doc) VALUES(?1, ?2)");
    get_ = prepare(db_, "SELECT doc FROM docs WHERE key = ?1");
    filter_ = prepare(db_, kFilterSql);
    top_ = prepare(db_, kTopSql);
  }
  void finalize_main() {
    for (sqlite3_stmt** s : {&insert_, &get_, &filter_, &top_}) {
      sqlite3_finalize(*s);
      *s = nullptr;
    }
  }
  void close_singles_noexcept() {
    for (Conn& c : singles_) {
      sqlite3_finalize(c.insert);
      sqlite3_close(c.db);
    }
    singles_.clear();
  }

  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
  sqlite3_stmt* get_ = nullptr;
  sqlite3_stmt* filter_ = nullptr;
  sqlite3_stmt* top_ = nullptr;
  std::vector<Conn> singles_;
};

}  // namespace

std::unique_ptr<Engine> make_sqlite_engine(const EngineOptions&) { return std::make_unique<SqliteEngine>(); }

}  // namespace kbench
