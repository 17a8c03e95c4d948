// NoGil: releases the GIL for a scope, like py::gil_scoped_release, but safe
// on a daemon thread when the interpreter finalizes meanwhile.
//
// Taking the GIL back after finalization started ends the calling thread
// (pthread_exit, a forced unwind) in Python <= 3.13. From pybind11's
// destructor, which is noexcept, that aborts the whole process. Here the
// thread parks for good instead when finalization has already started (the
// process is exiting; the thread holds no lock of ours at that point), and
// the destructor is noexcept(false) so that the remaining race still ends
// the thread quietly instead of calling std::terminate.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

namespace kilnpy {

bool interpreter_exiting();  // handle.cc
[[noreturn]] void park_thread_forever();  // handle.cc

class NoGil {
 public:
  NoGil() : state_(PyEval_SaveThread()) {}
  ~NoGil() noexcept(false) {
    if (interpreter_exiting()) park_thread_forever();
    PyEval_RestoreThread(state_);
  }
  NoGil(const NoGil &) = delete;
  NoGil &operator=(const NoGil &) = delete;

 private:
  PyThreadState *state_;
};

}  // namespace kilnpy
