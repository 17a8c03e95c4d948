#include "subscription.h"

#include <pybind11/pybind11.h>

#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "handle.h"
#include "nogil.h"

namespace py = pybind11;

namespace kilnpy {

[[noreturn]] void raise_status(int32_t status, const std::string &message);  // module.cc

struct CallbackState {
  PyObject *callback;  // strong reference, released by destroy_state()
  std::atomic<bool> cancelled{false};
};

namespace {

PyObject *g_event_type = nullptr;

// The registry. g_shutdown is also read without the mutex by trampolines.
std::mutex g_mu;
std::condition_variable g_cv;  // deferred closes finishing
std::vector<std::shared_ptr<Subscription>> g_live;
std::atomic<bool> g_shutdown{false};
int g_deferred_closes = 0;

thread_local int t_in_callback = 0;

void unregister(const Subscription *sub) {
  std::lock_guard lock(g_mu);
  for (size_t i = 0; i < g_live.size(); ++i) {
    if (g_live[i].get() == sub) {
      g_live[i] = std::move(g_live.back());
      g_live.pop_back();
      return;
    }
  }
}

PyObject *decode(const char *s, size_t len) {
  return PyUnicode_DecodeUTF8(s, static_cast<Py_ssize_t>(len), "surrogateescape");
}

// kiln_change_fn: runs on the engine's delivery thread, without the GIL.
void trampoline(void *user_data, const char *collection, size_t collection_len, const char *key, size_t key_len,
                int64_t new_v, uint64_t lsn) {
  auto *state = static_cast<CallbackState *>(user_data);
  // After shutdown() (or once finalizing) this thread must not take the GIL.
  if (state->cancelled.load(std::memory_order_acquire) || g_shutdown.load(std::memory_order_acquire) ||
      interpreter_exiting()) {
    return;
  }
  ++t_in_callback;
  PyGILState_STATE gil = PyGILState_Ensure();
  if (!state->cancelled.load(std::memory_order_acquire)) {
    PyObject *event = nullptr;
    PyObject *c = decode(collection, collection_len);
    PyObject *k = c ? decode(key, key_len) : nullptr;
    PyObject *v = k ? (new_v == KILN_CHANGE_DELETED ? (Py_INCREF(Py_None), Py_None) : PyLong_FromLongLong(new_v)) : nullptr;
    PyObject *l = v ? PyLong_FromUnsignedLongLong(lsn) : nullptr;
    if (l != nullptr) event = PyObject_CallFunctionObjArgs(g_event_type, c, k, v, l, nullptr);
    Py_XDECREF(c);
    Py_XDECREF(k);
    Py_XDECREF(v);
    Py_XDECREF(l);
    PyObject *result = event ? PyObject_CallOneArg(state->callback, event) : nullptr;
    Py_XDECREF(event);
    if (result == nullptr) {
      // Reported through sys.unraisablehook; the feed goes on.
      PyErr_WriteUnraisable(state->callback);
    }
    Py_XDECREF(result);
  }
  PyGILState_Release(gil);
  --t_in_callback;
}

// kiln_destroy_fn: no callback can run any more. Runs on whichever thread
// ended the subscription, with or without the GIL.
void destroy_state(void *user_data) {
  auto *state = static_cast<CallbackState *>(user_data);
  if (PyGILState_Check()) {
    Py_CLEAR(state->callback);
  } else if (!interpreter_exiting()) {
    PyGILState_STATE gil = PyGILState_Ensure();
    Py_CLEAR(state->callback);
    PyGILState_Release(gil);
  }  // else: the interpreter is going away; leak the reference
  delete state;
}

}  // namespace

bool in_callback() { return t_in_callback > 0; }

void set_event_type(PyObject *type) {
  Py_XINCREF(type);
  PyObject *old = g_event_type;
  g_event_type = type;
  Py_XDECREF(old);
}

bool Subscription::active() const {
  std::lock_guard lock(mu_);
  return st_ == State::kActive;
}

void Subscription::cancel() {
  kiln_subscription *token = nullptr;
  {
    std::unique_lock lock(mu_);
    if (st_ == State::kCancelled) return;
    if (st_ == State::kCancelling) {
      // Another thread is ending it. Wait, except on a delivery thread: the
      // other thread may be waiting for this very callback to return.
      if (!in_callback()) done_.wait(lock, [&] { return st_ == State::kCancelled; });
      return;
    }
    st_ = State::kCancelling;
    token = token_;
    token_ = nullptr;
    state_->cancelled.store(true, std::memory_order_release);  // state_ lives until destroy_state
    state_ = nullptr;
  }
  kiln_unsubscribe(token);  // waits for a callback in flight; runs destroy_state
  {
    std::lock_guard lock(mu_);
    st_ = State::kCancelled;
  }
  done_.notify_all();
  unregister(this);
}

std::shared_ptr<Subscription> subscribe(Handle &handle, const std::optional<std::string> &collection,
                                        PyObject *callback) {
  if (!PyCallable_Check(callback)) {
    PyErr_Format(PyExc_TypeError, "callback must be callable, not %.100s", Py_TYPE(callback)->tp_name);
    throw py::error_already_set();
  }
  if (g_event_type == nullptr) {
    PyErr_SetString(PyExc_RuntimeError, "kilndb._native: no event type registered");
    throw py::error_already_set();
  }
  Py_INCREF(callback);
  auto *state = new CallbackState{callback};
  auto sub = std::make_shared<Subscription>(handle.id(), state);
  int32_t status = KILN_OK;
  std::string message;
  {
    NoGil nogil;
    Handle::Use use(handle);
    if (use.db() == nullptr) {
      status = KILN_CLOSED;
      message = "Database is closed";
    } else {
      // Under g_mu, so shutdown() either sees this subscription or refused it.
      std::lock_guard lock(g_mu);
      if (g_shutdown.load()) {
        status = KILN_CLOSED;
        message = "The interpreter is shutting down";
      } else {
        kiln_error *err = nullptr;
        status = kiln_subscribe(use.db(), collection ? collection->data() : nullptr, collection ? collection->size() : 0,
                                &trampoline, state, &destroy_state, &sub->token_, &err);
        if (err != nullptr) {
          message = kiln_error_message(err);
          kiln_error_free(err);
        }
        if (status == KILN_OK) g_live.push_back(sub);
      }
    }
  }
  if (status != KILN_OK) {
    // destroy was not called: the state is still ours.
    Py_CLEAR(state->callback);
    delete state;
    sub->state_ = nullptr;
    sub->st_ = Subscription::State::kCancelled;
    raise_status(status, message);
  }
  return sub;
}

void cancel_subscriptions_of(uint64_t owner) {
  std::vector<std::shared_ptr<Subscription>> mine;
  {
    std::lock_guard lock(g_mu);
    for (const auto &sub : g_live) {
      if (sub->owner() == owner) mine.push_back(sub);
    }
  }
  for (const auto &sub : mine) sub->cancel();
}

void deferred_close_started() {
  std::lock_guard lock(g_mu);
  ++g_deferred_closes;
}

void deferred_close_finished() {
  {
    std::lock_guard lock(g_mu);
    --g_deferred_closes;
  }
  g_cv.notify_all();
}

void shutdown() {
  std::vector<std::shared_ptr<Subscription>> all;
  {
    std::lock_guard lock(g_mu);
    g_shutdown.store(true, std::memory_order_release);
    all = g_live;
  }
  NoGil nogil;  // callbacks in flight need the GIL to finish
  for (const auto &sub : all) sub->cancel();
  std::unique_lock lock(g_mu);
  // Bounded: exiting must never hang on a database that cannot close.
  g_cv.wait_for(lock, std::chrono::seconds(10), [] { return g_deferred_closes == 0; });
}

}  // namespace kilnpy
