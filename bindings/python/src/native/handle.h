// The binding's guard around one kiln_db handle.
//
// kiln_close() waits for calls still running on other threads, but no call
// may START once it was called. Every engine call therefore holds `mu`
// shared for its whole duration; close() sets `closing` (so new calls fail
// fast instead of queueing behind the writer), takes `mu` exclusively (so
// in-flight calls finish), clears `db`, and only then calls kiln_close().
// kiln_close() delivers the changes already committed to subscribers (their
// callbacks take the GIL, hence "without the GIL"); then the database's
// subscriptions are cancelled. On a delivery thread (inside a subscription
// callback) kiln_close() would join its own thread, so there the close is
// handed to a helper thread: calls fail with ClosedError at once, the files
// are released a moment later.
#pragma once

#include <kiln.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <shared_mutex>

namespace kilnpy {

// True once the interpreter is finalizing (no thread may take the GIL then).
bool interpreter_exiting();

class Handle : public std::enable_shared_from_this<Handle> {
 public:
  explicit Handle(kiln_db *db);
  ~Handle();  // closes the database if nobody did
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;

  // Closes once; later calls return KILN_OK. Call without the GIL.
  int32_t close();
  bool closed() const { return closing_.load(std::memory_order_acquire); }
  // Identifies the database's subscriptions (never reused, unlike `this`).
  uint64_t id() const { return id_; }

  // Shared access for one engine call: `db()` is nullptr once closed.
  class Use {
   public:
    explicit Use(Handle &h) : h_(h) {
      if (h_.closing_.load(std::memory_order_acquire)) return;
      h_.mu_.lock_shared();
      locked_ = true;
    }
    ~Use() {
      if (locked_) h_.mu_.unlock_shared();
    }
    Use(const Use &) = delete;
    Use &operator=(const Use &) = delete;
    kiln_db *db() const { return locked_ ? h_.db_ : nullptr; }

   private:
    Handle &h_;
    bool locked_ = false;
  };

 private:
  std::shared_mutex mu_;
  // Takes the handle from db_ once in-flight calls are done; nullptr if taken.
  kiln_db *take();

  std::atomic<bool> closing_{false};
  kiln_db *db_;
  const uint64_t id_;
};

}  // namespace kilnpy
