// Python object <-> JSON text, in C++ (no Python `json` module on the hot
// path). Everything here needs the GIL unless stated otherwise.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <cstddef>
#include <string>

namespace kilnpy {

// Appends the JSON text of `obj` to `out`. Accepts dict (str keys), list,
// tuple, str, int, float (finite), bool and None. Returns false with a Python
// exception set (TypeError / ValueError / RecursionError) on failure.
bool write_json(PyObject *obj, std::string &out);

// Appends `s` as a quoted, escaped JSON string. Needs no GIL.
void write_json_string(const char *s, size_t len, std::string &out);

// A JSON text parsed by simdjson, ready to become Python objects.
// parse() needs no GIL; to_python() does. A ParsedJson borrows a per-thread
// parser, so keep it on the stack of one call.
class ParsedJson {
 public:
  ParsedJson();
  ~ParsedJson();
  ParsedJson(const ParsedJson &) = delete;
  ParsedJson &operator=(const ParsedJson &) = delete;

  // Parses `len` bytes at `data`. No GIL needed. The text must stay alive
  // until to_python() returns (it is the fallback's input).
  void parse(const char *data, size_t len);
  // A new reference, or nullptr with a Python exception set.
  PyObject *to_python();

 // The parser state (pyjson_read.cc); one per thread is reused.
  struct Impl;

 private:
  Impl *impl_;
};

// Convenience for small responses: parse and convert in one go (GIL held).
PyObject *json_to_python(const char *data, size_t len);

}  // namespace kilnpy
