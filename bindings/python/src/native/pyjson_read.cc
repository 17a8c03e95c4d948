// JSON text -> Python objects: simdjson (DOM) parses, then one walk over its
// tape builds dicts, lists and scalars with the CPython API.
#include "pyjson.h"
#include "pybuild.h"

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kilnpy {
namespace {

namespace dom = simdjson::dom;

// simdjson stores counts of up to 0xFFFFFF in the tape; more saturates.
constexpr size_t kSaturated = 0xFFFFFF;

PyObject *build(dom::element e);

PyObject *build_array(dom::array a) {
  size_t n = a.size();
  if (n < kSaturated) {
    PyObject *list = PyList_New(static_cast<Py_ssize_t>(n));
    if (list == nullptr) return nullptr;
    Py_ssize_t i = 0;
    for (dom::element child : a) {
      PyObject *item = build(child);
      if (item == nullptr) { Py_DECREF(list); return nullptr; }
      PyList_SET_ITEM(list, i++, item);
    }
    return list;
  }
  PyObject *list = PyList_New(0);
  if (list == nullptr) return nullptr;
  for (dom::element child : a) {
    PyObject *item = build(child);
    if (item == nullptr || PyList_Append(list, item) < 0) {
      Py_XDECREF(item);
      Py_DECREF(list);
      return nullptr;
    }
    Py_DECREF(item);
  }
  return list;
}

PyObject *build_object(dom::object o) {
  PyObject *dict = new_dict(o.size());
  if (dict == nullptr) return nullptr;
  KeyCache &keys = key_cache();
  for (dom::key_value_pair kv : o) {
    PyObject *key = keys.get(kv.key);
    if (!dict_set_steal(dict, key, key != nullptr ? build(kv.value) : nullptr)) {
      Py_DECREF(dict);
      return nullptr;
    }
  }
  return dict;
}

PyObject *build(dom::element e) {
  switch (e.type()) {
    case dom::element_type::OBJECT: {
      if (Py_EnterRecursiveCall(" while converting JSON to Python")) return nullptr;
      PyObject *r = build_object(e.get_object().value_unsafe());
      Py_LeaveRecursiveCall();
      return r;
    }
    case dom::element_type::ARRAY: {
      if (Py_EnterRecursiveCall(" while converting JSON to Python")) return nullptr;
      PyObject *r = build_array(e.get_array().value_unsafe());
      Py_LeaveRecursiveCall();
      return r;
    }
    case dom::element_type::STRING:
      return utf8_to_str(e.get_string().value_unsafe());
    case dom::element_type::INT64:
      return PyLong_FromLongLong(e.get_int64().value_unsafe());
    case dom::element_type::UINT64:
      return PyLong_FromUnsignedLongLong(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE:
      return PyFloat_FromDouble(e.get_double().value_unsafe());
    case dom::element_type::BOOL: {
      PyObject *r = e.get_bool().value_unsafe() ? Py_True : Py_False;
      Py_INCREF(r);
      return r;
    }
    case dom::element_type::NULL_VALUE:
      Py_RETURN_NONE;
  }
  PyErr_SetString(PyExc_ValueError, "unknown JSON value type");
  return nullptr;
}

// The stdlib's json.loads: only for texts simdjson refuses (integers beyond
// 64 bits, for instance), so the slow path stays correct.
PyObject *fallback_loads(const char *data, size_t len) {
  PyObject *json = PyImport_ImportModule("json");
  if (json == nullptr) return nullptr;
  PyObject *r = PyObject_CallMethod(json, "loads", "s#", data, static_cast<Py_ssize_t>(len));
  Py_DECREF(json);
  return r;
}

}  // namespace

KeyCache &key_cache() {
  static KeyCache *cache = new KeyCache();  // never freed: lives as long as the interpreter
  return *cache;
}

struct ParsedJson::Impl {
  dom::parser parser;  // keeps its buffers between calls
  bool busy = false;
  simdjson::error_code error = simdjson::UNINITIALIZED;
  dom::element root;
  const char *data = nullptr;
  size_t len = 0;
};

namespace {
// One state per thread, reused, so a call allocates nothing. `busy` guards
// the rare re-entrant use (a finalizer run while building objects that
// itself queries the database): that call gets a state of its own.
thread_local ParsedJson::Impl t_state;
}  // namespace

ParsedJson::ParsedJson() {
  if (!t_state.busy) {
    impl_ = &t_state;
  } else {
    impl_ = new Impl;
  }
  impl_->busy = true;
  impl_->error = simdjson::UNINITIALIZED;
}

ParsedJson::~ParsedJson() {
  if (impl_ == &t_state) {
    t_state.busy = false;
  } else {
    delete impl_;
  }
}

void ParsedJson::parse(const char *data, size_t len) {
  impl_->data = data;
  impl_->len = len;
  impl_->error = impl_->parser.parse(data, len).get(impl_->root);
}

PyObject *ParsedJson::to_python() {
  if (impl_->error != simdjson::SUCCESS) return fallback_loads(impl_->data, impl_->len);
  return build(impl_->root);
}

PyObject *json_to_python(const char *data, size_t len) {
  ParsedJson parsed;
  parsed.parse(data, len);
  return parsed.to_python();
}

}  // namespace kilnpy
