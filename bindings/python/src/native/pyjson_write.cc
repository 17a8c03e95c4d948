// Python object -> JSON text. A single recursive walk over the CPython
// objects, appending to one std::string; no Python code is ever called.
#include "pyjson.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace kilnpy {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// True for the bytes that must be escaped inside a JSON string.
inline bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

bool write_value(PyObject *obj, std::string &out);

bool write_float(PyObject *obj, std::string &out) {
  double v = PyFloat_AS_DOUBLE(obj);
  if (!std::isfinite(v)) {
    PyErr_Format(PyExc_ValueError, "Out of range float values are not JSON compliant: %R", obj);
    return false;
  }
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  size_t n = static_cast<size_t>(res.ptr - buf);
  out.append(buf, n);
  // Keep it a float on the way back: 1.0 must not come back as the int 1.
  if (std::memchr(buf, '.', n) == nullptr && std::memchr(buf, 'e', n) == nullptr) out.append(".0");
  return true;
}

bool write_int(PyObject *obj, std::string &out) {
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
  if (v == -1 && PyErr_Occurred()) return false;
  char buf[32];
  if (overflow == 0) {
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, static_cast<size_t>(res.ptr - buf));
    return true;
  }
  if (overflow > 0) {
    unsigned long long u = PyLong_AsUnsignedLongLong(obj);
    if (!(u == static_cast<unsigned long long>(-1) && PyErr_Occurred())) {
      auto res = std::to_chars(buf, buf + sizeof buf, u);
      out.append(buf, static_cast<size_t>(res.ptr - buf));
      return true;
    }
    PyErr_Clear();
  }
  // Beyond 64 bits: write the exact digits and let the engine judge them.
  // PyNumber_ToBase never runs a subclass's __str__.
  PyObject *digits = PyNumber_ToBase(obj, 10);
  if (digits == nullptr) return false;
  Py_ssize_t len = 0;
  const char *s = PyUnicode_AsUTF8AndSize(digits, &len);
  if (s != nullptr) out.append(s, static_cast<size_t>(len));
  Py_DECREF(digits);
  return s != nullptr;
}

bool write_str(PyObject *obj, std::string &out) {
  Py_ssize_t len = 0;
  const char *s = PyUnicode_AsUTF8AndSize(obj, &len);
  if (s == nullptr) return false;
  write_json_string(s, static_cast<size_t>(len), out);
  return true;
}

bool write_dict(PyObject *obj, std::string &out) {
  out.push_back('{');
  Py_ssize_t pos = 0;
  PyObject *key = nullptr;
  PyObject *value = nullptr;
  bool first = true;
  while (PyDict_Next(obj, &pos, &key, &value)) {
    if (!PyUnicode_Check(key)) {
      PyErr_Format(PyExc_TypeError, "JSON object keys must be str, not %.100s", Py_TYPE(key)->tp_name);
      return false;
    }
    if (!first) out.push_back(',');
    first = false;
    if (!write_str(key, out)) return false;
    out.push_back(':');
    if (!write_value(value, out)) return false;
  }
  out.push_back('}');
  return true;
}

bool write_sequence(PyObject *obj, std::string &out) {
  // PySequence_Fast on a list or tuple returns the object itself.
  Py_ssize_t n = PySequence_Fast_GET_SIZE(obj);
  PyObject **items = PySequence_Fast_ITEMS(obj);
  out.push_back('[');
  for (Py_ssize_t i = 0; i < n; ++i) {
    if (i) out.push_back(',');
    if (!write_value(items[i], out)) return false;
  }
  out.push_back(']');
  return true;
}

bool write_container(PyObject *obj, std::string &out, bool is_dict) {
  if (Py_EnterRecursiveCall(" while converting a Python object to JSON")) return false;
  bool ok = is_dict ? write_dict(obj, out) : write_sequence(obj, out);
  Py_LeaveRecursiveCall();
  return ok;
}

bool write_value(PyObject *obj, std::string &out) {
  if (PyUnicode_Check(obj)) return write_str(obj, out);
  if (obj == Py_None) { out.append("null"); return true; }
  if (obj == Py_True) { out.append("true"); return true; }
  if (obj == Py_False) { out.append("false"); return true; }
  if (PyLong_Check(obj)) return write_int(obj, out);
  if (PyFloat_Check(obj)) return write_float(obj, out);
  if (PyDict_Check(obj)) return write_container(obj, out, true);
  if (PyList_Check(obj) || PyTuple_Check(obj)) return write_container(obj, out, false);
  PyErr_Format(PyExc_TypeError, "Object of type %.100s is not JSON serializable", Py_TYPE(obj)->tp_name);
  return false;
}

}  // namespace

void write_json_string(const char *s, size_t len, std::string &out) {
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!needs_escape(c)) continue;
    out.append(s + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(s + start, len - start);
  out.push_back('"');
}

bool write_json(PyObject *obj, std::string &out) { return write_value(obj, out); }

}  // namespace kilnpy
