// The binding's guard around one kiln_db handle.
//
// kiln_close() waits for calls still running on other threads, but no call
// may START once it was called. Every engine call therefore holds `mu`
// shared for its whole duration; close() sets `closing` (so new calls fail
// fast instead of queueing behind the writer), takes `mu` exclusively (so
// in-flight calls finish), clears `db`, and only then calls kiln_close().
#pragma once

#include <kiln.h>

#include <atomic>
#include <shared_mutex>

namespace kilnpy {

class Handle {
 public:
  explicit Handle(kiln_db *db) : db_(db) {}
  ~Handle();  // closes the database if nobody did
  Handle(const Handle &) = delete;
  Handle &operator=(const Handle &) = delete;

  // Closes once; later calls return KILN_OK. Call without the GIL.
  int32_t close();
  bool closed() const { return closing_.load(std::memory_order_acquire); }

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
  std::atomic<bool> closing_{false};
  kiln_db *db_;
};

}  // namespace kilnpy
