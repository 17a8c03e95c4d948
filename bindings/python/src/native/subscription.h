// Subscriptions over kiln_subscribe, and the rules that keep them from
// deadlocking or crashing the interpreter.
//
//  - Callbacks come on the engine's delivery thread (one per database). The
//    trampoline takes the GIL with PyGILState_Ensure, so every thread that
//    waits for that thread (kiln_unsubscribe, kiln_close) must not hold the
//    GIL: cancel() and close() release it first.
//  - kiln_close() must not run on a delivery thread (it joins that thread).
//    A close requested there (db.close() or the last reference dropped inside
//    a callback) is handed to a helper thread; see Handle.
//  - Every live subscription is in one registry. Closing a database cancels
//    its subscriptions (after kiln_close() delivered what was committed), and
//    shutdown() (an atexit hook) cancels all of them before the interpreter
//    starts finalizing, because a thread may not take the GIL after that.
//    A trampoline that finds the registry shut down returns without Python.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <kiln.h>

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace kilnpy {

class Handle;
struct CallbackState;  // the user_data given to kiln_subscribe

// One subscription, shared by the registry and the Python object.
class Subscription {
 public:
  enum class State { kActive, kCancelling, kCancelled };

  Subscription(uint64_t owner, CallbackState *state) : owner_(owner), state_(state) {}
  Subscription(const Subscription &) = delete;
  Subscription &operator=(const Subscription &) = delete;

  // Ends the subscription: once it returns no callback runs any more (unless
  // called on the delivery thread, where the running callback may be this
  // one). Idempotent, thread-safe. Call WITHOUT the GIL.
  void cancel();
  bool active() const;
  uint64_t owner() const { return owner_; }

 private:
  friend std::shared_ptr<Subscription> subscribe(Handle &, const std::optional<std::string> &, PyObject *);
  const uint64_t owner_;  // Handle::id()
  CallbackState *state_;  // valid until kiln_unsubscribe returns
  kiln_subscription *token_ = nullptr;
  mutable std::mutex mu_;
  std::condition_variable done_;
  State st_ = State::kActive;
};

// Subscribes `callback` (a callable; GIL held on entry, released around the
// engine call). collection: nullopt = every collection. Raises through
// pybind11 on failure (ClosedError, InvalidArgumentError, RuntimeError after
// shutdown).
std::shared_ptr<Subscription> subscribe(Handle &handle, const std::optional<std::string> &collection,
                                        PyObject *callback);

// Cancels every live subscription of the database with this Handle::id().
// Call WITHOUT the GIL.
void cancel_subscriptions_of(uint64_t owner);

// The atexit hook: refuses new subscriptions, cancels every live one and
// waits for closes handed to helper threads. GIL held on entry (released
// while waiting).
void shutdown();

// True on an engine delivery thread while it runs a callback of ours.
bool in_callback();

// Closes started on helper threads (see Handle) register here so shutdown()
// can wait for them.
void deferred_close_started();
void deferred_close_finished();

// Set once at import: the class events are made of (called with
// collection, key, new_v, lsn). Leaked on purpose.
void set_event_type(PyObject *type);

}  // namespace kilnpy
