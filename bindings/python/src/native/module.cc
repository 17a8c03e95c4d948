// kilndb._native: the CPython extension over kiln.h.
//
// Only kiln.h functions are called. Every engine call runs with the GIL
// released and the handle held shared (see handle.h); Python objects are
// turned into request JSON before, and the response JSON into Python objects
// after, by the converters in pyjson_*.cc.
#include <pybind11/pybind11.h>

#include <kiln.h>

#include <cstring>
#include <optional>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>

#include "handle.h"
#include "pybuild.h"
#include "nogil.h"
#include "pydoc.h"
#include "pyjson.h"
#include "subscription.h"

namespace py = pybind11;

namespace kilnpy {
namespace {

// Set by kilndb._errors at import: {status int: exception class} and the
// base class. Leaked on purpose (they live as long as the interpreter).
PyObject *g_error_classes = nullptr;
PyObject *g_base_error = nullptr;

}  // namespace

// Sets (without throwing) the Python error: the kilndb error class of
// `status` (shared with pydoc_read.cc). If even that fails, its error is set.
void set_status_error(int32_t status, const std::string &message) {
  try {
    std::string text = message.empty() ? std::string(kiln_status_str(status)) : message;
    PyObject *cls = nullptr;
    if (g_error_classes != nullptr) {
      py::int_ key(status);
      cls = PyDict_GetItemWithError(g_error_classes, key.ptr());  // borrowed
      if (cls == nullptr && PyErr_Occurred()) return;
    }
    if (cls == nullptr) cls = g_base_error != nullptr ? g_base_error : PyExc_RuntimeError;
    py::object exc = py::reinterpret_borrow<py::object>(cls)(text, kiln_status_name(status), status);
    PyErr_SetObject(reinterpret_cast<PyObject *>(Py_TYPE(exc.ptr())), exc.ptr());
  } catch (py::error_already_set &e) {
    e.restore();
  }
}

// Raises the kilndb error class of `status` (shared with subscription.cc).
[[noreturn]] void raise_status(int32_t status, const std::string &message) {
  set_status_error(status, message);
  throw py::error_already_set();
}

namespace {

// What one engine call produced. Owns the returned buffer.
struct Outcome {
  int32_t status = KILN_OK;
  std::string message;
  char *json = nullptr;
  size_t len = 0;

  Outcome() = default;
  Outcome(const Outcome &) = delete;
  Outcome &operator=(const Outcome &) = delete;
  ~Outcome() { kiln_free(json); }

  void take_error(kiln_error *err) {
    if (err == nullptr) return;
    message = kiln_error_message(err);
    kiln_error_free(err);
  }
};

// The request text of the calling thread, reused between calls.
std::string &request_buffer() {
  thread_local std::string buf;
  if (buf.capacity() > (4u << 20)) std::string().swap(buf);  // don't pin a huge request's memory
  buf.clear();
  return buf;
}

// Runs `call(db, &err)` without the GIL while holding the handle shared.
// With `parsed`, a successful response is also parsed before the GIL returns.
template <class Call>
void run(Handle &h, Outcome &out, ParsedJson *parsed, Call &&call) {
  NoGil nogil;
  {
    Handle::Use use(h);
    if (use.db() == nullptr) {
      out.status = KILN_CLOSED;
      out.message = "Database is closed";
      return;
    }
    kiln_error *err = nullptr;
    out.status = call(use.db(), &err);
    out.take_error(err);
  }
  if (parsed != nullptr && out.status == KILN_OK && out.json != nullptr) parsed->parse(out.json, out.len);
}

// UTF-8 view of a str argument; TypeError otherwise. The bytes stay valid as
// long as the str object lives (the caller holds it).
std::string_view utf8_arg(py::handle obj, const char *what) {
  if (!PyUnicode_Check(obj.ptr())) {
    PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(obj.ptr())->tp_name);
    throw py::error_already_set();
  }
  Py_ssize_t len = 0;
  const char *s = utf8_of(obj.ptr(), &len);
  if (s == nullptr) throw py::error_already_set();
  return {s, static_cast<size_t>(len)};
}

py::object execute_text(Handle &h, const std::string &request, bool missing_ok) {
  Outcome out;
  ParsedJson parsed;
  run(h, out, &parsed, [&](kiln_db *db, kiln_error **err) {
    return kiln_execute(db, request.data(), request.size(), &out.json, &out.len, err);
  });
  if (out.status == KILN_NOT_FOUND && missing_ok) return py::none();
  if (out.status != KILN_OK) raise_status(out.status, out.message);
  if (out.json == nullptr) return py::none();
  PyObject *result = parsed.to_python();
  if (result == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(result);
}

// ---- Database -------------------------------------------------------------

// Native objects are constructed empty and opened / bound by a separate
// method, so a failed open leaves a valid (closed) object behind instead of
// a half-made one that a traceback could still reach.
class Database {
 public:
  Database() = default;

  void open(py::handle path, py::handle options) {
    if (handle_) raise_status(KILN_INVALID_ARGUMENT, "Database is already open");
    std::string path_text;
    bool has_path = !path.is_none();
    if (has_path) {
      path_text = std::string(utf8_arg(path, "path"));
      if (path_text.find('\0') != std::string::npos) raise_status(KILN_INVALID_ARGUMENT, "path contains a NUL character");
    }
    std::string options_text;
    bool has_options = !options.is_none();
    if (has_options && !write_json(options.ptr(), options_text)) throw py::error_already_set();

    kiln_db *db = nullptr;
    Outcome out;
    {
      NoGil nogil;
      kiln_error *err = nullptr;
      out.status = kiln_open(has_path ? path_text.c_str() : nullptr, has_options ? options_text.c_str() : nullptr,
                             &db, &err);
      out.take_error(err);
    }
    if (out.status != KILN_OK || db == nullptr) raise_status(out.status != KILN_OK ? out.status : KILN_INTERNAL, out.message);
    handle_ = std::make_shared<Handle>(db);
  }

  void close() {
    if (!handle_) return;
    int32_t status = KILN_OK;
    {
      NoGil nogil;
      status = handle_->close();
    }
    if (status != KILN_OK) raise_status(status, "closing the database failed");
  }

  bool closed() const { return !handle_ || handle_->closed(); }

  // The open handle, or ClosedError.
  Handle &handle() const {
    if (!handle_) raise_status(KILN_CLOSED, "Database is not open");
    return *handle_;
  }
  const std::shared_ptr<Handle> &shared_handle() const { return handle_; }

  py::object execute(py::handle request, bool missing_ok) {
    std::string &buf = request_buffer();
    if (!write_json(request.ptr(), buf)) throw py::error_already_set();
    return execute_text(handle(), buf, missing_ok);
  }

  // kiln_flush without the GIL.
  void flush() {
    Outcome out;
    run(handle(), out, nullptr, [&](kiln_db *db, kiln_error **err) { return kiln_flush(db, err); });
    if (out.status != KILN_OK) raise_status(out.status, out.message);
  }

  // A request given as JSON text; the response as JSON text.
  py::str execute_json(py::handle request) {
    // A view: the caller holds the (immutable) str or bytes for the call.
    std::string_view text = PyBytes_Check(request.ptr())
                                ? std::string_view(PyBytes_AS_STRING(request.ptr()),
                                                   static_cast<size_t>(PyBytes_GET_SIZE(request.ptr())))
                                : utf8_arg(request, "request");
    Outcome out;
    run(handle(), out, nullptr, [&](kiln_db *db, kiln_error **err) {
      return kiln_execute(db, text.data(), text.size(), &out.json, &out.len, err);
    });
    if (out.status != KILN_OK) raise_status(out.status, out.message);
    return py::str(out.json ? out.json : "", out.json ? out.len : 0);
  }

 private:
  std::shared_ptr<Handle> handle_;
};

// ---- Collection (the hot paths; the rest is in Python) ---------------------

class Collection {
 public:
  Collection() = default;

  void bind(const Database &db, py::handle name) {
    std::string_view n = utf8_arg(name, "collection name");
    db.handle();  // ClosedError if the database never opened
    handle_ = db.shared_handle();
    name_ = std::string(n);
  }

  const std::string &name() const { return name_; }

  // kiln_get_encoded: the document, built straight from its binary
  // encoding (no JSON text on either side), or None.
  py::object get(py::handle key) {
    std::string_view k = utf8_arg(key, "key");
    Outcome out;
    run(handle(), out, nullptr, [&](kiln_db *db, kiln_error **err) {
      return kiln_get_encoded(db, name_.data(), name_.size(), k.data(), k.size(), &out.json, &out.len, err);
    });
    if (out.status == KILN_NOT_FOUND) return py::none();
    if (out.status != KILN_OK) raise_status(out.status, out.message);
    PyObject *result = encoded_to_python(out.json, out.len);
    if (result == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(result);
  }

  // kiln_put: stores one document with the rules of "set"; returns its _v.
  uint64_t put(py::handle key, py::handle doc) {
    std::string_view k = utf8_arg(key, "key");
    std::string &buf = request_buffer();
    if (!write_json(doc.ptr(), buf)) throw py::error_already_set();
    uint64_t version = 0;
    Outcome out;
    run(handle(), out, nullptr, [&](kiln_db *db, kiln_error **err) {
      return kiln_put(db, name_.data(), name_.size(), k.data(), k.size(), buf.data(), buf.size(), &version, err);
    });
    if (out.status != KILN_OK) raise_status(out.status, out.message);
    return version;
  }

  bool closed() const { return !handle_ || handle_->closed(); }

 private:
  Handle &handle() const {
    if (!handle_) raise_status(KILN_CLOSED, "Collection is not bound to an open database");
    return *handle_;
  }

  std::shared_ptr<Handle> handle_;
  std::string name_;
};

// The C++ Collection inside a Collection object (the Python subclass
// included), or nullptr with a TypeError set. py::cast looks the type up in
// pybind11's registry on every call (~300 instructions of a ~9,000
// instruction get); the registered type is looked up once here. For the
// Python subclass, pybind11's own get_value_and_holder() would search the
// instance's type list each time: an instance with one bound base (pybind11's
// "simple layout") holds its value at position 0, so that search is skipped.
Collection *collection_of(PyObject *self) {
  static const py::detail::type_info *registered = py::detail::get_type_info(typeid(Collection));
  if (registered != nullptr && PyObject_TypeCheck(self, registered->type)) {
    auto *inst = reinterpret_cast<py::detail::instance *>(self);
    py::detail::value_and_holder vh =
        inst->simple_layout ? py::detail::value_and_holder(inst, registered, 0, 0) : inst->get_value_and_holder(registered, false);
    if (vh && vh.holder_constructed()) return vh.value_ptr<Collection>();
  }
  PyErr_SetString(PyExc_TypeError, "get() needs an initialized kilndb Collection");
  return nullptr;
}

// Collection.get as a plain CPython method (vectorcall, no pybind11
// dispatcher): the hottest call of the binding, where pybind11's generic
// overload dispatch cost ~2,000 instructions of ~20,000 per get.
// Accepts get(key) and get(key=...), like the pybind11 signature did.
PyObject *collection_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames) {
  Py_ssize_t nkw = kwnames != nullptr ? PyTuple_GET_SIZE(kwnames) : 0;
  bool by_keyword = nargs == 0 && nkw == 1 &&
                    PyUnicode_CompareWithASCIIString(PyTuple_GET_ITEM(kwnames, 0), "key") == 0;
  if (!(nargs == 1 && nkw == 0) && !by_keyword) {
    PyErr_Format(PyExc_TypeError, "get() takes exactly one argument, key (%zd given)", nargs + nkw);
    return nullptr;
  }
  Collection *collection = collection_of(self);
  if (collection == nullptr) return nullptr;
  try {
    return collection->get(py::handle(args[0])).release().ptr();
  } catch (py::error_already_set &e) {
    e.restore();
  } catch (const std::bad_alloc &) {
    PyErr_NoMemory();
  } catch (const std::exception &e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return nullptr;
}

PyMethodDef g_collection_get = {
    "get", reinterpret_cast<PyCFunction>(reinterpret_cast<void (*)()>(&collection_get)), METH_FASTCALL | METH_KEYWORDS,
    "get($self, /, key)\n--\n\nThe document stored under key (without _key), or None."};

// ---- Subscription -------------------------------------------------------------

class SubscriptionObject {
 public:
  SubscriptionObject() = default;

  void start(const Database &db, py::handle callback, py::handle collection) {
    if (sub_) raise_status(KILN_INVALID_ARGUMENT, "Subscription is already started");
    std::optional<std::string> name;
    if (!collection.is_none()) name = std::string(utf8_arg(collection, "collection"));
    sub_ = subscribe(db.handle(), name, callback.ptr());
  }

  void cancel() {
    if (!sub_) return;
    NoGil nogil;  // a callback in flight needs the GIL to finish
    sub_->cancel();
  }

  bool active() const { return sub_ && sub_->active(); }

 private:
  std::shared_ptr<Subscription> sub_;
};

// ---- Module-level helpers ---------------------------------------------------

py::object verify(py::handle path) {
  std::string p(utf8_arg(path, "path"));
  if (p.find('\0') != std::string::npos) raise_status(KILN_INVALID_ARGUMENT, "path contains a NUL character");
  Outcome out;
  {
    NoGil nogil;
    kiln_error *err = nullptr;
    out.status = kiln_verify(p.c_str(), &out.json, &out.len, &err);
    out.take_error(err);
  }
  if (out.status != KILN_OK) raise_status(out.status, out.message);
  PyObject *r = json_to_python(out.json ? out.json : "null", out.json ? out.len : 4);
  if (r == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

void register_errors(py::dict classes, py::object base) {
  Py_XDECREF(g_error_classes);
  Py_XDECREF(g_base_error);
  g_error_classes = classes.release().ptr();
  g_base_error = base.release().ptr();
}

py::str dumps(py::handle obj) {
  std::string out;
  if (!write_json(obj.ptr(), out)) throw py::error_already_set();
  return py::str(out.data(), out.size());
}

// The decoder on its own, for tests: bytes of the document encoding -> value.
py::object decode(py::bytes encoded) {
  PyObject *r = encoded_to_python(PyBytes_AS_STRING(encoded.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(encoded.ptr())));
  if (r == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

py::object loads(py::handle text) {
  std::string_view s = PyBytes_Check(text.ptr())
                           ? std::string_view(PyBytes_AS_STRING(text.ptr()), static_cast<size_t>(PyBytes_GET_SIZE(text.ptr())))
                           : utf8_arg(text, "text");
  PyObject *r = json_to_python(s.data(), s.size());
  if (r == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::object>(r);
}

}  // namespace
}  // namespace kilnpy

PYBIND11_MODULE(_native, m) {
  using namespace kilnpy;
  m.doc() = "kilndb native extension: the kiln.h C API, GIL-free, with C++ JSON conversion.";
  m.attr("HEADER_VERSION") = KILN_VERSION_STRING;
  m.attr("HEADER_VERSION_NUMBER") = KILN_VERSION_NUMBER;
  m.attr("ABI_VERSION") = KILN_ABI_VERSION;
  m.def("library_version", [] { return std::string(kiln_version()); }, "kiln_version() of the linked engine.");
  m.def("library_version_number", [] { return kiln_version_number(); });
  m.def("library_abi_version", [] { return kiln_abi_version(); });
  m.attr("DECODER_ENCODING_VERSION") = kDecoderEncodingVersion;
  m.def("library_encoding_version", [] { return kiln_encoding_version(); },
        "kiln_encoding_version(): the document encoding version the linked engine writes.");
  m.def("status_name", [](int32_t s) { return std::string(kiln_status_name(s)); });
  m.def("status_str", [](int32_t s) { return std::string(kiln_status_str(s)); });
  m.def("_register_errors", &register_errors, py::arg("classes"), py::arg("base"));
  m.def("dumps", &dumps, py::arg("obj"), "Python object -> JSON text (the converter requests use).");
  m.def("verify", &verify, py::arg("path"),
        "Checks every checksum of the database directory at path (kiln_verify, without the GIL);\n"
        "returns the report {\"ok\", \"files\", \"problems\", \"warnings\"}.");
  m.def("_set_event_type", [](py::handle t) { set_event_type(t.ptr()); }, py::arg("type"));
  m.def("_shutdown", &shutdown,
        "Cancels every subscription and refuses new ones (kilndb registers it with atexit).");
  m.def("loads", &loads, py::arg("text"), "JSON text -> Python object (the converter responses use).");
  m.def("_decode", &decode, py::arg("encoded"),
        "Bytes of the binary document encoding -> Python object (the converter Collection.get uses).");

  py::object status = py::module_::import("types").attr("SimpleNamespace")();
  for (auto [name, value] : {std::pair{"OK", KILN_OK}, {"NOT_FOUND", KILN_NOT_FOUND},
                             {"INVALID_ARGUMENT", KILN_INVALID_ARGUMENT}, {"CONFLICT", KILN_CONFLICT},
                             {"LOCKED", KILN_LOCKED}, {"CLOSED", KILN_CLOSED}, {"READ_ONLY", KILN_READ_ONLY},
                             {"IO_ERROR", KILN_IO_ERROR}, {"CORRUPTION", KILN_CORRUPTION},
                             {"NO_SPACE", KILN_NO_SPACE}, {"INTERNAL", KILN_INTERNAL},
                             {"NO_MEMORY", KILN_NO_MEMORY}}) {
    status.attr(name) = value;
  }
  m.attr("status") = status;

  py::class_<Database>(m, "Database")
      .def(py::init<>())
      .def("_open", &Database::open, py::arg("path"), py::arg("options"),
           "Opens the database (once); Database.__init__ calls it.")
      .def("close", &Database::close,
           "Closes the database (waits for calls running on other threads). Idempotent.\n"
           "Later calls raise ClosedError. Its subscriptions end: a change not yet handed\n"
           "to a callback is not delivered.")
      .def_property_readonly("closed", &Database::closed, "True once close() was called.")
      .def("execute", &Database::execute, py::arg("request"), py::arg("missing_ok") = false,
           "Runs one request of the kilndb request language (a dict with \"op\") and returns\n"
           "the response as Python objects. KILN_NOT_FOUND raises NotFoundError, or returns\n"
           "None when missing_ok is true.")
      .def("execute_json", &Database::execute_json, py::arg("request"),
           "Like execute(), with the request and the response as JSON text.")
      .def("flush", &Database::flush,
           "Makes every write acknowledged so far durable (kiln_flush, without the GIL).\n"
           "Needed only in async mode; returns at once in sync mode, does nothing in memory mode.");

  py::class_<SubscriptionObject>(m, "Subscription")
      .def(py::init<>())
      .def("_start", &SubscriptionObject::start, py::arg("database"), py::arg("callback"), py::arg("collection"),
           "Subscribes (once); Subscription.__init__ calls it.")
      .def("cancel", &SubscriptionObject::cancel,
           "Ends the subscription: when it returns, no callback runs any more (a callback in\n"
           "flight has finished). Idempotent; safe from inside a callback.")
      .def_property_readonly("active", &SubscriptionObject::active, "False once cancelled (or the database closed).");

  py::class_<Collection> collection(m, "Collection");
  collection.def(py::init<>())
      .def("_bind", &Collection::bind, py::arg("database"), py::arg("name"),
           "Binds to a collection of an open database; Collection.__init__ calls it.")
      .def_property_readonly("name", &Collection::name)
      .def("put", &Collection::put, py::arg("key"), py::arg("doc"),
           "Stores one document under key with the rules of set (the fast path);\n"
           "returns its new _v (0 for a non-object document).");
  PyObject *get = PyDescr_NewMethod(reinterpret_cast<PyTypeObject *>(collection.ptr()), &g_collection_get);
  if (get == nullptr) throw py::error_already_set();
  collection.attr("get") = py::reinterpret_steal<py::object>(get);
}
