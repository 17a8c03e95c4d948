#include "handle.h"

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <mutex>

namespace kilnpy {
namespace {

bool interpreter_exiting() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsFinalizing();
#else
  return _Py_IsFinalizing();
#endif
}

}  // namespace

int32_t Handle::close() {
  closing_.store(true, std::memory_order_release);
  kiln_db *db = nullptr;
  {
    std::unique_lock lock(mu_);
    db = db_;
    db_ = nullptr;
  }
  return db ? kiln_close(db) : KILN_OK;
}

Handle::~Handle() {
  // Reached from a Python deallocation, normally with the GIL held: let other
  // threads run while the engine flushes, unless the interpreter is exiting.
  if (db_ == nullptr) return;
  if (PyGILState_Check() && !interpreter_exiting()) {
    PyThreadState *state = PyEval_SaveThread();
    (void)close();
    PyEval_RestoreThread(state);
  } else {
    (void)close();
  }
}

}  // namespace kilnpy
