// kiln.hpp — a header-only C++17 wrapper over kiln.h. It adds RAII and
// exceptions on the caller's side of the boundary; the ABI stays C.
//
//   kiln::Database db = kiln::Database::open_memory();
//   db.execute(R"({"op":"set","collection":"users","data":{"u1":{"name":"Ada"}}})");
//   std::optional<std::string> doc = db.get("users", "u1");
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "kiln.h"

namespace kiln {

// Thrown for every status other than KILN_OK (and KILN_NOT_FOUND where a
// method returns std::optional).
class Exception : public std::runtime_error {
 public:
  Exception(int32_t status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int32_t status() const noexcept { return status_; }
  const char* status_name() const noexcept { return kiln_status_name(status_); }

 private:
  int32_t status_;
};

namespace detail {

inline void check(int32_t status, kiln_error* err) {
  if (status == KILN_OK) return;
  std::string message = err ? kiln_error_message(err) : kiln_status_str(status);
  kiln_error_free(err);
  throw Exception(status, message);
}

// Takes ownership of a buffer returned by the C API.
inline std::string take(char* buf, size_t len) {
  std::string s(buf, len);
  kiln_free(buf);
  return s;
}

}  // namespace detail

// One committed change, as the change feed reports it.
struct Change {
  std::string collection;
  std::string key;         // "*" when the collection was dropped
  std::optional<int64_t> new_v;  // empty for deletes and drops
  uint64_t lsn;
};

// A live subscription; cancels itself when destroyed (RAII).
class Subscription {
 public:
  Subscription() = default;
  Subscription(Subscription&& other) noexcept : sub_(std::exchange(other.sub_, nullptr)) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      cancel();
      sub_ = std::exchange(other.sub_, nullptr);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { cancel(); }

  // Returns once no callback can run any more (waits for one in flight).
  void cancel() noexcept {
    kiln_unsubscribe(sub_);
    sub_ = nullptr;
  }

 private:
  friend class Database;
  explicit Subscription(kiln_subscription* sub) : sub_(sub) {}
  kiln_subscription* sub_ = nullptr;
};

class Database {
 public:
  // options_json: see kiln_open in kiln.h (empty = defaults).
  static Database open(const std::string& path, const std::string& options_json = "") {
    return open_impl(path.c_str(), options_json);
  }
  static Database open_memory(const std::string& options_json = "") { return open_impl(nullptr, options_json); }

  Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Database& operator=(Database&& other) noexcept {
    if (this != &other) {
      close();
      db_ = std::exchange(other.db_, nullptr);
    }
    return *this;
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database() { close(); }

  void close() noexcept {
    kiln_close(db_);
    db_ = nullptr;
  }

  // Runs a request; throws kiln::Exception on any status but KILN_OK
  // (including KILN_NOT_FOUND, whose message is "No documents found").
  std::string execute(std::string_view request) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    // The status is taken first: argument evaluation order is unspecified.
    int32_t status = kiln_execute(handle(), request.data(), request.size(), &out, &len, &err);
    detail::check(status, err);
    return detail::take(out, len);
  }

  // The document as JSON text, or nullopt when absent.
  std::optional<std::string> get(std::string_view collection, std::string_view key) {
    return get_with(&kiln_get, collection, key);
  }

  // The document in the binary document encoding (see kiln_get_encoded and
  // docs/document_format.md), or nullopt when absent.
  std::optional<std::string> get_encoded(std::string_view collection, std::string_view key) {
    return get_with(&kiln_get_encoded, collection, key);
  }

  // Returns the stored _v.
  uint64_t put(std::string_view collection, std::string_view key, std::string_view doc_json) {
    uint64_t version = 0;
    kiln_error* err = nullptr;
    int32_t status = kiln_put(handle(), collection.data(), collection.size(), key.data(), key.size(), doc_json.data(),
                              doc_json.size(), &version, &err);
    detail::check(status, err);
    return version;
  }

  // Makes every acknowledged write durable (async mode; see kiln_flush).
  void flush() {
    kiln_error* err = nullptr;
    int32_t status = kiln_flush(handle(), &err);
    detail::check(status, err);
  }

  // Calls fn for every committed change of `collection` (empty: all), on an
  // engine thread. fn must not throw out (exceptions are swallowed: there is
  // no caller to hand them to) and must not close the database.
  Subscription subscribe(std::function<void(const Change&)> fn, std::string_view collection = {}) {
    using Fn = std::function<void(const Change&)>;
    auto holder = std::make_unique<Fn>(std::move(fn));
    kiln_subscription* sub = nullptr;
    kiln_error* err = nullptr;
    int32_t status = kiln_subscribe(
        handle(), collection.empty() ? nullptr : collection.data(), collection.size(),
        [](void* user_data, const char* coll, size_t coll_len, const char* key, size_t key_len, int64_t new_v,
           uint64_t lsn) {
          try {
            Change change{std::string(coll, coll_len), std::string(key, key_len),
                          new_v == KILN_CHANGE_DELETED ? std::nullopt : std::optional<int64_t>(new_v), lsn};
            (*static_cast<Fn*>(user_data))(change);
          } catch (...) {
          }
        },
        holder.get(), [](void* user_data) { delete static_cast<Fn*>(user_data); }, &sub, &err);
    detail::check(status, err);
    holder.release();  // owned by the subscription now; freed by the destroy callback
    return Subscription(sub);
  }

  kiln_db* c_handle() const noexcept { return db_; }

 private:
  explicit Database(kiln_db* db) : db_(db) {}

  static Database open_impl(const char* path, const std::string& options_json) {
    kiln_db* db = nullptr;
    kiln_error* err = nullptr;
    int32_t status = kiln_open(path, options_json.empty() ? nullptr : options_json.c_str(), &db, &err);
    detail::check(status, err);
    return Database(db);
  }

  kiln_db* handle() const {
    if (!db_) throw Exception(KILN_CLOSED, "The database is closed");
    return db_;
  }

  // kiln_get and kiln_get_encoded share one signature.
  using GetFn = int32_t (*)(kiln_db*, const char*, size_t, const char*, size_t, char**, size_t*, kiln_error**);
  std::optional<std::string> get_with(GetFn fn, std::string_view collection, std::string_view key) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t status = fn(handle(), collection.data(), collection.size(), key.data(), key.size(), &out, &len, &err);
    if (status == KILN_NOT_FOUND) return std::nullopt;
    detail::check(status, err);
    return detail::take(out, len);
  }

  kiln_db* db_ = nullptr;
};

}  // namespace kiln
