// The C API: translates kiln.h calls to libcore. Every entry point runs its
// body through guarded(), so no C++ exception ever crosses the boundary.
#include "kiln.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <shared_mutex>
#include <string>

#include "db.h"
#include "feed/change_feed.h"
#include "io/file_system.h"
#include "snapshot/verify.h"
#include "util/rw_mutex.h"
#include "util/error.h"
#include "util/names.h"

struct kiln_error {
  int32_t code;
  std::string message;
};

struct kiln_db {
  std::unique_ptr<kiln::Db> db;
  // Calls hold it shared; kiln_close takes it exclusively, so it waits for
  // calls in flight on other threads before freeing anything.
  kiln::RwMutex in_flight;
};

struct kiln_subscription {
  std::shared_ptr<kiln::ChangeFeed> feed;
  uint64_t id = 0;
};

namespace {

// A C callback as a libcore Subscriber; destroy(user_data) runs when the
// feed lets go of it (after the last callback).
class CSubscriber final : public kiln::Subscriber {
 public:
  CSubscriber(kiln_change_fn fn, void* user_data, kiln_destroy_fn destroy)
      : fn_(fn), user_data_(user_data), destroy_(destroy) {}
  ~CSubscriber() override {
    if (destroy_) destroy_(user_data_);
  }
  void on_change(const kiln::ChangeEvent& e) override {
    int64_t v = !e.new_v ? KILN_CHANGE_DELETED : *e.new_v > uint64_t(INT64_MAX) ? INT64_MAX : int64_t(*e.new_v);
    fn_(user_data_, e.collection.c_str(), e.collection.size(), e.key.c_str(), e.key.size(), v, e.lsn);
  }
  void disarm() { destroy_ = nullptr; }

 private:
  kiln_change_fn fn_;
  void* user_data_;
  kiln_destroy_fn destroy_;
};

}  // namespace

#define KILN_SAME(c, k) static_assert(static_cast<int32_t>(kiln::Code::k) == c, #c)
KILN_SAME(KILN_OK, kOk);
KILN_SAME(KILN_NOT_FOUND, kNotFound);
KILN_SAME(KILN_INVALID_ARGUMENT, kInvalidArgument);
KILN_SAME(KILN_CONFLICT, kConflict);
KILN_SAME(KILN_LOCKED, kLocked);
KILN_SAME(KILN_CLOSED, kClosed);
KILN_SAME(KILN_READ_ONLY, kReadOnly);
KILN_SAME(KILN_IO_ERROR, kIoError);
KILN_SAME(KILN_CORRUPTION, kCorruption);
KILN_SAME(KILN_NO_SPACE, kNoSpace);
KILN_SAME(KILN_INTERNAL, kInternal);
KILN_SAME(KILN_NO_MEMORY, kNoMemory);
#undef KILN_SAME

namespace {

int32_t fail(int32_t code, const char* message, kiln_error** out_err) {
  if (out_err) {
    // If even the error cannot be allocated, the caller still gets the code.
    *out_err = new (std::nothrow) kiln_error{code, {}};
    if (*out_err) {
      try {
        (*out_err)->message = message;
      } catch (...) {
      }
    }
  }
  return code;
}

template <typename Fn>
int32_t guarded(kiln_error** out_err, Fn&& fn) noexcept {
  if (out_err) *out_err = nullptr;
  try {
    return fn();
  } catch (const kiln::Error& e) {
    return fail(static_cast<int32_t>(e.code()), e.what(), out_err);
  } catch (const std::bad_alloc&) {
    return fail(KILN_NO_MEMORY, "Out of memory", out_err);
  } catch (const std::exception& e) {
    return fail(KILN_INTERNAL, (std::string("Internal error: ") + e.what()).c_str(), out_err);
  } catch (...) {
    return fail(KILN_INTERNAL, "Internal error: unknown exception", out_err);
  }
}

// Copies `s` into a malloc'ed, NUL-terminated buffer owned by the caller.
void hand_out(std::string_view s, char** out, size_t* out_len) {
  char* buf = static_cast<char*>(std::malloc(s.size() + 1));
  if (!buf) throw std::bad_alloc();
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  *out = buf;
  if (out_len) *out_len = s.size();
}

int32_t null_argument(const char* what, kiln_error** out_err) {
  return fail(KILN_INVALID_ARGUMENT, (std::string(what) + " must not be NULL").c_str(), out_err);
}

// The argument checks kiln_get and kiln_get_encoded share; KILN_OK if fine.
int32_t check_get_arguments(kiln_db* db, const char* collection, const char* key, char** out, const char* out_name,
                            size_t* out_len, kiln_error** out_err) {
  if (!out) return null_argument(out_name, out_err);
  *out = nullptr;
  if (out_len) *out_len = 0;
  if (!db || !collection || !key) return null_argument(!db ? "db" : !collection ? "collection" : "key", out_err);
  return KILN_OK;
}

}  // namespace

extern "C" {

const char* kiln_version(void) { return KILN_VERSION_STRING; }
int32_t kiln_version_number(void) { return KILN_VERSION_NUMBER; }
int32_t kiln_abi_version(void) { return KILN_ABI_VERSION; }
int32_t kiln_encoding_version(void) { return KILN_ENCODING_VERSION; }

const char* kiln_status_str(int32_t status) {
  switch (status) {
    case KILN_OK: return "ok";
    case KILN_NOT_FOUND: return "not found";
    case KILN_INVALID_ARGUMENT: return "invalid argument";
    case KILN_CONFLICT: return "conflict";
    case KILN_LOCKED: return "database is locked by another process";
    case KILN_CLOSED: return "database is closed";
    case KILN_READ_ONLY: return "database is read-only";
    case KILN_IO_ERROR: return "I/O error";
    case KILN_CORRUPTION: return "database file is corrupt";
    case KILN_NO_SPACE: return "no space left on device";
    case KILN_INTERNAL: return "internal error";
    case KILN_NO_MEMORY: return "out of memory";
    default: return "unknown status";
  }
}

const char* kiln_status_name(int32_t status) {
  switch (status) {
    case KILN_OK: return "KILN_OK";
    case KILN_NOT_FOUND: return "KILN_NOT_FOUND";
    case KILN_INVALID_ARGUMENT: return "KILN_INVALID_ARGUMENT";
    case KILN_CONFLICT: return "KILN_CONFLICT";
    case KILN_LOCKED: return "KILN_LOCKED";
    case KILN_CLOSED: return "KILN_CLOSED";
    case KILN_READ_ONLY: return "KILN_READ_ONLY";
    case KILN_IO_ERROR: return "KILN_IO_ERROR";
    case KILN_CORRUPTION: return "KILN_CORRUPTION";
    case KILN_NO_SPACE: return "KILN_NO_SPACE";
    case KILN_INTERNAL: return "KILN_INTERNAL";
    case KILN_NO_MEMORY: return "KILN_NO_MEMORY";
    default: return "KILN_UNKNOWN";
  }
}

int32_t kiln_status_http(int32_t status) {
  switch (status) {
    case KILN_OK: return 200;
    case KILN_NOT_FOUND: return 404;
    case KILN_INVALID_ARGUMENT: return 400;
    case KILN_CONFLICT: return 409;
    case KILN_LOCKED: return 423;
    case KILN_CLOSED: return 503;
    case KILN_READ_ONLY: return 403;
    case KILN_NO_SPACE: return 507;
    default: return 500;
  }
}

int32_t kiln_error_code(const kiln_error* err) { return err ? err->code : KILN_OK; }
const char* kiln_error_message(const kiln_error* err) { return err ? err->message.c_str() : ""; }
void kiln_error_free(kiln_error* err) { delete err; }

void kiln_free(void* ptr) { std::free(ptr); }

int32_t kiln_open(const char* path, const char* options_json, kiln_db** out_db, kiln_error** out_err) {
  if (!out_db) return null_argument("out_db", out_err);
  *out_db = nullptr;
  return guarded(out_err, [&] {
    std::string_view p = path ? path : "";
    kiln::Options options = kiln::parse_options(options_json ? options_json : "", !p.empty());
    auto handle = std::make_unique<kiln_db>();
    handle->db = kiln::Db::open(p, options);
    *out_db = handle.release();
    return KILN_OK;
  });
}

int32_t kiln_close(kiln_db* db) {
  if (!db) return KILN_OK;
  { std::unique_lock wait_for_calls(db->in_flight); }
  int32_t status = guarded(nullptr, [&] {
    db->db->close();
    return KILN_OK;
  });
  guarded(nullptr, [&] {
    db->db.reset();
    return KILN_OK;
  });
  delete db;
  return status;
}

int32_t kiln_execute(kiln_db* db, const char* request, size_t request_len, char** out_json, size_t* out_len,
                     kiln_error** out_err) {
  if (!out_json) return null_argument("out_json", out_err);
  *out_json = nullptr;
  if (out_len) *out_len = 0;
  if (!db) return null_argument("db", out_err);
  if (!request && request_len) return null_argument("request", out_err);
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    hand_out(db->db->execute({request ? request : "", request_len}), out_json, out_len);
    return KILN_OK;
  });
}

int32_t kiln_get(kiln_db* db, const char* collection, size_t collection_len, const char* key, size_t key_len,
                 char** out_json, size_t* out_len, kiln_error** out_err) {
  if (int32_t bad = check_get_arguments(db, collection, key, out_json, "out_json", out_len, out_err)) return bad;
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    thread_local std::string json;  // reused: the hot path allocates only the result
    json.clear();
    if (!db->db->get({collection, collection_len}, {key, key_len}, json)) return KILN_NOT_FOUND;
    hand_out(json, out_json, out_len);
    return KILN_OK;
  });
}

int32_t kiln_get_encoded(kiln_db* db, const char* collection, size_t collection_len, const char* key,
                         size_t key_len, char** out_doc, size_t* out_len, kiln_error** out_err) {
  if (int32_t bad = check_get_arguments(db, collection, key, out_doc, "out_doc", out_len, out_err)) return bad;
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    bool found = db->db->read_record({collection, collection_len}, {key, key_len},
                                     [&](const kiln::DocRecord& r) { hand_out(r.bytes(), out_doc, out_len); });
    return found ? KILN_OK : KILN_NOT_FOUND;
  });
}

int32_t kiln_put(kiln_db* db, const char* collection, size_t collection_len, const char* key, size_t key_len,
                 const char* doc_json, size_t doc_len, uint64_t* out_version, kiln_error** out_err) {
  if (out_version) *out_version = 0;
  if (!db || !collection || !key || !doc_json) {
    return null_argument(!db ? "db" : !collection ? "collection" : !key ? "key" : "doc_json", out_err);
  }
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    uint64_t v = db->db->put({collection, collection_len}, {key, key_len}, {doc_json, doc_len});
    if (out_version) *out_version = v;
    return KILN_OK;
  });
}

int32_t kiln_flush(kiln_db* db, kiln_error** out_err) {
  if (!db) return null_argument("db", out_err);
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    db->db->flush();
    return KILN_OK;
  });
}

int32_t kiln_verify(const char* path, char** out_json, size_t* out_len, kiln_error** out_err) {
  if (!out_json) return null_argument("out_json", out_err);
  *out_json = nullptr;
  if (out_len) *out_len = 0;
  if (!path) return null_argument("path", out_err);
  return guarded(out_err, [&] {
    hand_out(kiln::snapshot::verify_database(kiln::io::default_file_system(), path), out_json, out_len);
    return KILN_OK;
  });
}

int32_t kiln_subscribe(kiln_db* db, const char* collection, size_t collection_len, kiln_change_fn callback,
                       void* user_data, kiln_destroy_fn destroy, kiln_subscription** out_sub, kiln_error** out_err) {
  if (!out_sub) return null_argument("out_sub", out_err);
  *out_sub = nullptr;
  if (!db || !callback) return null_argument(!db ? "db" : "callback", out_err);
  return guarded(out_err, [&] {
    std::shared_lock call(db->in_flight);
    std::string name = collection ? std::string(collection, collection_len) : std::string();
    if (collection) kiln::check_collection_name(name);
    auto sub = std::make_unique<kiln_subscription>();
    auto subscriber = std::make_shared<CSubscriber>(callback, user_data, destroy);
    sub->feed = db->db->feed();
    try {
      sub->id = sub->feed->subscribe(std::move(name), subscriber);
    } catch (...) {
      subscriber->disarm();  // on failure the caller keeps user_data
      throw;
    }
    *out_sub = sub.release();
    return KILN_OK;
  });
}

void kiln_unsubscribe(kiln_subscription* sub) {
  if (!sub) return;
  guarded(nullptr, [&] {
    sub->feed->unsubscribe(sub->id);
    return KILN_OK;
  });
  delete sub;
}

}  // extern "C"
