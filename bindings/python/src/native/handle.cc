#include "handle.h"

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "nogil.h"
#include "subscription.h"

namespace kilnpy {

bool interpreter_exiting() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

void park_thread_forever() {
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
}

namespace {

std::atomic<uint64_t> g_next_id{1};

// kiln_close() and the end of the database's subscriptions, off the delivery
// thread. shutdown() waits for it.
void close_elsewhere(kiln_db *db, uint64_t id) {
  deferred_close_started();
  try {
    std::thread([db, id] {
      (void)kiln_close(db);
      cancel_subscriptions_of(id);
      deferred_close_finished();
    }).detach();
  } catch (...) {  // no thread: leak the handle rather than deadlock
    deferred_close_finished();
  }
}

}  // namespace

Handle::Handle(kiln_db *db) : db_(db), id_(g_next_id.fetch_add(1)) {}

kiln_db *Handle::take() {
  std::unique_lock lock(mu_);
  kiln_db *db = db_;
  db_ = nullptr;
  return db;
}

int32_t Handle::close() {
  if (closing_.exchange(true, std::memory_order_acq_rel)) {
    // Closed or closing: new calls already fail; wait for the first close's
    // kiln_close unless it runs elsewhere.
    return KILN_OK;
  }
  if (in_callback()) {
    // On a delivery thread: kiln_close() would join this thread. The helper
    // waits for in-flight calls (take()) itself and keeps the handle alive.
    std::shared_ptr<Handle> self = shared_from_this();
    deferred_close_started();
    try {
      std::thread([self] {
        kiln_db *db = self->take();
        if (db != nullptr) (void)kiln_close(db);
        cancel_subscriptions_of(self->id());
        deferred_close_finished();
      }).detach();
    } catch (...) {
      deferred_close_finished();
    }
    return KILN_OK;
  }
  kiln_db *db = take();
  int32_t status = db ? kiln_close(db) : KILN_OK;
  cancel_subscriptions_of(id_);
  return status;
}

Handle::~Handle() {
  // Nobody else holds the handle any more, so no call is in flight.
  if (db_ == nullptr) return;
  closing_.store(true, std::memory_order_release);
  kiln_db *db = db_;
  db_ = nullptr;
  if (in_callback()) {
    close_elsewhere(db, id_);
    return;
  }
  // Reached from a Python deallocation, normally with the GIL held: let other
  // threads (and subscription callbacks) run while the engine flushes, unless
  // the interpreter is exiting (then shutdown() has ended every subscription).
  if (PyGILState_Check() && !interpreter_exiting()) {
    NoGil nogil;
    (void)kiln_close(db);
    cancel_subscriptions_of(id_);
  } else {
    (void)kiln_close(db);
    cancel_subscriptions_of(id_);
  }
}

}  // namespace kilnpy
