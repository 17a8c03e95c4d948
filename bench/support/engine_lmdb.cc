// LMDB (Debian's liblmdb): key -> JSON bytes in the main DBI; queries are a
// cursor scan parsing each document with simdjson (LMDB has no secondary
// indexes and no query language).
#include <lmdb.h>

#include <cstring>
#include <filesystem>

#include "support/engines.h"

namespace kbench {
namespace {

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) throw Failure(std::string("lmdb ") + what + ": " + mdb_strerror(rc));
}

MDB_val val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }

struct Env {
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;

  void open(const std::string& dir, unsigned flags, size_t map_bytes) {
    std::filesystem::create_directories(dir);
    check(mdb_env_create(&env), "env_create");
    check(mdb_env_set_mapsize(env, map_bytes), "set_mapsize");
    check(mdb_env_set_maxreaders(env, 126), "set_maxreaders");
    check(mdb_env_open(env, dir.c_str(), flags, 0644), "env_open");
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env, nullptr, 0, &txn), "txn_begin");
    check(mdb_dbi_open(txn, nullptr, 0, &dbi), "dbi_open");
    check(mdb_txn_commit(txn), "commit");
  }
  void close() {
    if (env) mdb_env_close(env);
    env = nullptr;
  }
};

class LmdbEngine final : public Engine {
 public:
  explicit LmdbEngine(const EngineOptions& o)
      : map_bytes_(std::max<size_t>(size_t{1} << 30, static_cast<size_t>(o.n) * 4096)) {}
  ~LmdbEngine() override {
    if (rtxn_) mdb_txn_abort(rtxn_);
    main_.close();
    singles_.close();
  }
  std::string name() const override { return "lmdb"; }

  void open_bulk(const std::string& dir) override {
    main_.open(dir, MDB_NOSYNC, map_bytes_);
  }
  std::string bulk_durability() const override {
    return "MDB_NOSYNC: committed per batch without fsync, one mdb_env_sync at the end (timed)";
  }

  void put_batch(const Batch& b) override {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(main_.env, nullptr, 0, &txn), "txn_begin");
    for (size_t i = 0; i < b.keys.size(); ++i) {
      MDB_val k = val(b.keys[i]), v = val(b.json[i]);
      int rc = mdb_put(txn, main_.dbi, &k, &v, 0);
      if (rc != MDB_SUCCESS) {
        mdb_txn_abort(txn);
        check(rc, "put");
      }
    }
    check(mdb_txn_commit(txn), "commit");
    ++batches_;
  }

  void end_bulk() override {
    if (batches_) check(mdb_env_sync(main_.env, 1), "env_sync");
    batches_ = 0;
  }

  OwnedText get(std::string_view key) override {
    // One read transaction, reset and renewed per get (LMDB's cheap pattern).
    if (!rtxn_) {
      check(mdb_txn_begin(main_.env, nullptr, MDB_RDONLY, &rtxn_), "read txn");
    } else {
      check(mdb_txn_renew(rtxn_), "txn_renew");
    }
    MDB_val k = val(key), v{};
    int rc = mdb_get(rtxn_, main_.dbi, &k, &v);
    if (rc != MDB_SUCCESS) {
      mdb_txn_reset(rtxn_);
      if (rc == MDB_NOTFOUND) throw Failure("lmdb get: missing key " + std::string(key));
      check(rc, "get");
    }
    OwnedText t;
    t.len = v.mv_size;
    t.data = static_cast<char*>(std::malloc(v.mv_size + 1));
    if (!t.data) throw Failure("out of memory");
    std::memcpy(t.data, v.mv_data, v.mv_size);
    t.data[v.mv_size] = '\0';
    mdb_txn_reset(rtxn_);
    return t;
  }

  Answer query(QueryKind kind) override {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(main_.env, nullptr, MDB_RDONLY, &txn), "read txn");
    MDB_cursor* cur = nullptr;
    int rc = mdb_cursor_open(txn, main_.dbi, &cur);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      check(rc, "cursor_open");
    }
    MDB_val k{}, v{};
    try {
      for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == MDB_SUCCESS; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        scan_.consider({static_cast<const char*>(k.mv_data), k.mv_size}, {static_cast<const char*>(v.mv_data), v.mv_size});
      }
    } catch (...) {
      mdb_cursor_close(cur);
      mdb_txn_abort(txn);
      throw;
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc != MDB_NOTFOUND) check(rc, "cursor_get");
    Answer a;
    a.rows = scan_.take(kind);
    return a;
  }

  void create_city_index() override { throw NotSupported("no secondary indexes (key-value store)"); }

  bool persistent() const override { return true; }

  void close() override {
    end_bulk();
    if (rtxn_) mdb_txn_abort(rtxn_);
    rtxn_ = nullptr;
    main_.close();
  }
  void reopen(const std::string& dir) override { main_.open(dir, 0, map_bytes_); }

  void open_singles(const std::string& dir, int) override { singles_.open(dir, 0, size_t{1} << 30); }
  std::string singles_durability() const override {
    return "default flags: each commit fsyncs data and meta page; write transactions serialized by LMDB's writer lock";
  }
  void put_single(int, std::string_view key, std::string_view json) override {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(singles_.env, nullptr, 0, &txn), "txn_begin");
    MDB_val k = val(key), v = val(json);
    int rc = mdb_put(txn, singles_.dbi, &k, &v, 0);
    if (rc != MDB_SUCCESS) {
      mdb_txn_abort(txn);
      check(rc, "put");
    }
    check(mdb_txn_commit(txn), "commit");
  }
  void close_singles() override { singles_.close(); }

 private:
  size_t map_bytes_;
  Env main_, singles_;
  MDB_txn* rtxn_ = nullptr;
  uint64_t batches_ = 0;
  JsonScan scan_;
};

}  // namespace

std::unique_ptr<Engine> make_lmdb_engine(const EngineOptions& o) { return std::make_unique<LmdbEngine>(o); }

}  // namespace kbench
