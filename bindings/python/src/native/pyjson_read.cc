// JSON text -> Python objects: simdjson (DOM) parses, then one walk over its
// tape builds dicts, lists and scalars with the CPython API.
#include "pyjson.h"

#include <simdjson.h>

#include <cstdint>
#include <cstring>
#include <string_view>

namespace kilnpy {
namespace {

namespace dom = simdjson::dom;

// Object keys repeat across documents ("name", "age", ...). A small
// direct-mapped cache hands out the same str object for a short key, so its
// hash is computed once and documents share the key strings. GIL-protected.
class KeyCache {
 public:
  // A new reference to the str for `key`, or nullptr with an exception set.
  PyObject *get(std::string_view key) {
    if (key.size() > kMaxLen) return decode(key);
    Slot &slot = slots_[hash(key) & (kSlots - 1)];
    if (slot.obj != nullptr && slot.len == key.size() && std::memcmp(slot.bytes, key.data(), key.size()) == 0) {
      Py_INCREF(slot.obj);
      return slot.obj;
    }
    PyObject *obj = decode(key);
    if (obj == nullptr) return nullptr;
    Py_XDECREF(slot.obj);
    Py_INCREF(obj);
    slot.obj = obj;
    slot.len = key.size();
    std::memcpy(slot.bytes, key.data(), key.size());
    return obj;
  }

 private:
  static constexpr size_t kMaxLen = 32;
  static constexpr size_t kSlots = 1024;
  struct Slot {
    PyObject *obj = nullptr;
    size_t len = 0;
    char bytes[kMaxLen];
  };

  static PyObject *decode(std::string_view s) {
    return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogatepass");
  }
  static uint32_t hash(std::string_view s) {
    uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }

  Slot slots_[kSlots];
};

KeyCache &key_cache() {
  static KeyCache *cache = new KeyCache();  // never freed: lives as long as the interpreter
  return *cache;
}

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

// A dict with room for `n` members: filling it then never resizes (each
// resize rebuilds the hash index; a ~12-member document resized twice).
PyObject *new_dict(size_t n) {
#if PY_VERSION_HEX < 0x030D0000
  if (n > 5 && n < kSaturated) return _PyDict_NewPresized(static_cast<Py_ssize_t>(n));
#endif
  (void)n;
  return PyDict_New();
}

PyObject *build_object(dom::object o) {
  PyObject *dict = new_dict(o.size());
  if (dict == nullptr) return nullptr;
  KeyCache &keys = key_cache();
  for (dom::key_value_pair kv : o) {
    PyObject *key = keys.get(kv.key);
    PyObject *value = key ? build(kv.value) : nullptr;
    if (value == nullptr || PyDict_SetItem(dict, key, value) < 0) {
      Py_XDECREF(key);
      Py_XDECREF(value);
      Py_DECREF(dict);
      return nullptr;
    }
    Py_DECREF(key);
    Py_DECREF(value);
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
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      return PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "surrogatepass");
    }
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
