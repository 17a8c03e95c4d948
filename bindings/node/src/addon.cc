// addon.cc — the native half of the kilndb Node.js binding.
//
// Exposes a small class, NativeDb, over kiln.h (and nothing else): execute,
// get, put and close, each sync and as a Promise run on libuv's thread pool
// (Napi::AsyncWorker). The JS half (lib/) builds requests and the idiomatic
// API on top. Results come back as JS values built from the engine's JSON;
// KILN_NOT_FOUND comes back as `undefined` (cheap for the JS layer to turn
// into null / [] / an error), every other failure as a KilnError.
//
// Lifetime: the kiln_db lives in a Handle shared (std::shared_ptr) by the JS
// object and every queued worker. Each call enters the Handle first; close()
// marks it closing (no call may start after that), waits for the calls
// inside, then runs kiln_close. So a worker that starts after close() gets
// KILN_CLOSED, never a freed handle.
#include <napi.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "json_read.h"
#include "json_write.h"
#include "kiln.h"

namespace kilnnode {
namespace {

constexpr const char* kClosedMessage = "The database is closed";

struct AddonData {
  explicit AddonData(napi_env env) : keys(env) {}
  KeyCache keys;  // declared first: destroyed last
  Napi::FunctionReference dbCtor;
  Napi::FunctionReference errorCtor;  // KilnError from lib/errors.js
};

AddonData* Data(Napi::Env env) { return env.GetInstanceData<AddonData>(); }

// A KilnError (or a plain Error with .code until the JS side registered it).
Napi::Value MakeError(Napi::Env env, int32_t status, const std::string& message) {
  const std::string& text = message.empty() ? std::string(kiln_status_str(status)) : message;
  Napi::String msg = Napi::String::New(env, text);
  Napi::String code = Napi::String::New(env, kiln_status_name(status));
  AddonData* data = Data(env);
  if (data && !data->errorCtor.IsEmpty()) {
    return data->errorCtor.New({msg, code, Napi::Number::New(env, status)});
  }
  Napi::Error err = Napi::Error::New(env, text);
  err.Set("code", code);
  err.Set("status", Napi::Number::New(env, status));
  return err.Value();
}

[[noreturn]] void ThrowKiln(Napi::Env env, int32_t status, const std::string& message) {
  throw Napi::Error(env, MakeError(env, status, message));
}

std::string TakeMessage(kiln_error* err) {
  std::string m = kiln_error_message(err);
  kiln_error_free(err);
  return m;
}

std::string Utf8(const Napi::Value& v, const char* what) {
  if (!v.IsString()) {
    throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a string");
  }
  return v.As<Napi::String>().Utf8Value();
}

struct KilnBuffer {
  void operator()(char* p) const { kiln_free(p); }
};
using Owned = std::unique_ptr<char, KilnBuffer>;

// ---- Handle: the guarded kiln_db ----------------------------------------

class Handle {
 public:
  explicit Handle(kiln_db* db) : db_(db) {}
  ~Handle() { Close(); }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  // Enters a call: the db, or nullptr once close() began.
  kiln_db* Enter() {
    std::lock_guard<std::mutex> l(mu_);
    if (!db_ || closing_) return nullptr;
    ++active_;
    return db_;
  }
  void Leave() {
    std::lock_guard<std::mutex> l(mu_);
    if (--active_ == 0) cv_.notify_all();
  }
  bool IsOpen() {
    std::lock_guard<std::mutex> l(mu_);
    return db_ && !closing_;
  }
  // Stops new calls, waits for running ones, closes. Idempotent: a second
  // call (even while the first is still flushing) returns KILN_OK.
  int32_t Close() {
    std::unique_lock<std::mutex> l(mu_);
    if (!db_ || closing_) return KILN_OK;
    closing_ = true;
    cv_.wait(l, [this] { return active_ == 0; });
    kiln_db* db = db_;
    l.unlock();
    int32_t st = kiln_close(db);
    l.lock();
    db_ = nullptr;
    return st;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  kiln_db* db_;
  int active_ = 0;
  bool closing_ = false;
};

// RAII entry into a Handle for one engine call.
class Call {
 public:
  explicit Call(const std::shared_ptr<Handle>& h) : h_(h.get()), db_(h ? h->Enter() : nullptr) {}
  ~Call() { Done(); }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  kiln_db* db() const { return db_; }
  void Done() {
    if (db_) h_->Leave();
    db_ = nullptr;
  }

 private:
  Handle* h_;
  kiln_db* db_;
};

// Turns one engine result into a JS value (sync path).
Napi::Value Parse(Napi::Env env, const char* json, size_t len) {
  AddonData* data = Data(env);
  return Napi::Value(env, ReadJson(env, json, len, data ? &data->keys : nullptr));
}

Napi::Value Finish(Napi::Env env, int32_t st, char* out, size_t len, kiln_error* err) {
  Owned owned(out);
  if (st == KILN_OK) return Parse(env, out, len);
  std::string msg = TakeMessage(err);
  if (st == KILN_NOT_FOUND) return env.Undefined();
  ThrowKiln(env, st, msg);
}

// ---- Async workers --------------------------------------------------------

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, std::shared_ptr<Handle> h)
      : Napi::AsyncWorker(env, "kilndb"), deferred_(Napi::Promise::Deferred::New(env)), h_(std::move(h)) {}
  ~Worker() override { kiln_free(out_); }

  Napi::Promise Queue() {
    Napi::Promise p = deferred_.Promise();
    Napi::AsyncWorker::Queue();
    return p;
  }

  void Execute() override {
    Call call(h_);
    if (!call.db()) {
      status_ = KILN_CLOSED;
      message_ = kClosedMessage;
      return;
    }
    kiln_error* err = nullptr;
    status_ = Run(call.db(), &err);
    call.Done();
    if (status_ != KILN_OK) message_ = TakeMessage(err);
  }

  void OnOK() override {
    Napi::Env env = Env();
    try {
      if (status_ == KILN_OK) {
        deferred_.Resolve(Result(env));
      } else if (status_ == KILN_NOT_FOUND) {
        deferred_.Resolve(env.Undefined());
      } else {
        deferred_.Reject(MakeError(env, status_, message_));
      }
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }

 protected:
  virtual int32_t Run(kiln_db* db, kiln_error** err) = 0;
  virtual Napi::Value Result(Napi::Env env) { return Parse(env, out_, out_len_); }

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<Handle> h_;
  int32_t status_ = KILN_OK;
  std::string message_;
  char* out_ = nullptr;
  size_t out_len_ = 0;
};

class ExecuteWorker : public Worker {
 public:
  ExecuteWorker(Napi::Env env, std::shared_ptr<Handle> h, std::string request)
      : Worker(env, std::move(h)), request_(std::move(request)) {}

 protected:
  int32_t Run(kiln_db* db, kiln_error** err) override {
    return kiln_execute(db, request_.data(), request_.size(), &out_, &out_len_, err);
  }

 private:
  std::string request_;
};

class GetWorker : public Worker {
 public:
  GetWorker(Napi::Env env, std::shared_ptr<Handle> h, std::string coll, std::string key)
      : Worker(env, std::move(h)), coll_(std::move(coll)), key_(std::move(key)) {}

 protected:
  int32_t Run(kiln_db* db, kiln_error** err) override {
    return kiln_get(db, coll_.data(), coll_.size(), key_.data(), key_.size(), &out_, &out_len_, err);
  }

 private:
  std::string coll_, key_;
};

class PutWorker : public Worker {
 public:
  PutWorker(Napi::Env env, std::shared_ptr<Handle> h, std::string coll, std::string key, std::string doc)
      : Worker(env, std::move(h)), coll_(std::move(coll)), key_(std::move(key)), doc_(std::move(doc)) {}

 protected:
  int32_t Run(kiln_db* db, kiln_error** err) override {
    return kiln_put(db, coll_.data(), coll_.size(), key_.data(), key_.size(), doc_.data(), doc_.size(),
                    &version_, err);
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, static_cast<double>(version_)); }

 private:
  std::string coll_, key_, doc_;
  uint64_t version_ = 0;
};

class CloseWorker : public Worker {
 public:
  using Worker::Worker;
  void Execute() override {
    status_ = h_ ? h_->Close() : KILN_OK;
    if (status_ != KILN_OK) message_ = std::string("close: ") + kiln_status_str(status_);
  }

 protected:
  int32_t Run(kiln_db*, kiln_error**) override { return KILN_OK; }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
};

// ---- NativeDb ----------------------------------------------------------------

class NativeDb : public Napi::ObjectWrap<NativeDb> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeDb",
                       {
                           InstanceMethod<&NativeDb::Execute>("execute"),
                           InstanceMethod<&NativeDb::ExecuteAsync>("executeAsync"),
                           InstanceMethod<&NativeDb::Get>("get"),
                           InstanceMethod<&NativeDb::GetAsync>("getAsync"),
                           InstanceMethod<&NativeDb::Put>("put"),
                           InstanceMethod<&NativeDb::PutAsync>("putAsync"),
                           InstanceMethod<&NativeDb::Close>("close"),
                           InstanceMethod<&NativeDb::CloseAsync>("closeAsync"),
                           InstanceAccessor<&NativeDb::IsOpen>("isOpen"),
                       });
  }

  explicit NativeDb(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeDb>(info) {}

  static Napi::Object Wrap(Napi::Env env, kiln_db* db) {
    Napi::Object obj = Data(env)->dbCtor.New({});
    Unwrap(obj)->h_ = std::make_shared<Handle>(db);
    return obj;
  }

 private:
  kiln_db* EnterOrThrow(Napi::Env env, Call& call) {
    if (!call.db()) ThrowKiln(env, KILN_CLOSED, kClosedMessage);
    return call.db();
  }

  Napi::Value Execute(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string req;
    req.reserve(256);
    WriteJson(env, info[0], req);
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h_);
      st = kiln_execute(EnterOrThrow(env, call), req.data(), req.size(), &out, &len, &err);
    }
    return Finish(env, st, out, len, err);
  }

  Napi::Value ExecuteAsync(const Napi::CallbackInfo& info) {
    std::string req;
    WriteJson(info.Env(), info[0], req);
    return (new ExecuteWorker(info.Env(), h_, std::move(req)))->Queue();
  }

  Napi::Value Get(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h_);
      st = kiln_get(EnterOrThrow(env, call), coll.data(), coll.size(), key.data(), key.size(), &out, &len, &err);
    }
    return Finish(env, st, out, len, err);
  }

  Napi::Value GetAsync(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    return (new GetWorker(info.Env(), h_, std::move(coll), std::move(key)))->Queue();
  }

  Napi::Value Put(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    std::string doc;
    WriteJson(env, info[2], doc);
    uint64_t version = 0;
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h_);
      st = kiln_put(EnterOrThrow(env, call), coll.data(), coll.size(), key.data(), key.size(), doc.data(),
                    doc.size(), &version, &err);
    }
    if (st != KILN_OK) ThrowKiln(env, st, TakeMessage(err));
    return Napi::Number::New(env, static_cast<double>(version));
  }

  Napi::Value PutAsync(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    std::string doc;
    WriteJson(info.Env(), info[2], doc);
    return (new PutWorker(info.Env(), h_, std::move(coll), std::move(key), std::move(doc)))->Queue();
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    int32_t st = h_ ? h_->Close() : KILN_OK;
    if (st != KILN_OK) ThrowKiln(info.Env(), st, std::string("close: ") + kiln_status_str(st));
    return info.Env().Undefined();
  }

  Napi::Value CloseAsync(const Napi::CallbackInfo& info) {
    return (new CloseWorker(info.Env(), h_))->Queue();
  }

  Napi::Value IsOpen(const Napi::CallbackInfo& info) {
    return Napi::Boolean::New(info.Env(), h_ && h_->IsOpen());
  }

  std::shared_ptr<Handle> h_;
};

// ---- open ------------------------------------------------------------------

struct OpenArgs {
  std::optional<std::string> path;
  std::optional<std::string> options;
};

OpenArgs ReadOpenArgs(const Napi::CallbackInfo& info) {
  OpenArgs a;
  if (info.Length() > 0 && !info[0].IsNull() && !info[0].IsUndefined()) a.path = Utf8(info[0], "path");
  if (info.Length() > 1 && !info[1].IsNull() && !info[1].IsUndefined()) {
    if (!info[1].IsObject()) throw Napi::TypeError::New(info.Env(), "options must be an object");
    std::string json;
    WriteJson(info.Env(), info[1], json);
    a.options = std::move(json);
  }
  return a;
}

int32_t OpenDb(const OpenArgs& a, kiln_db** db, std::string* message) {
  kiln_error* err = nullptr;
  int32_t st = kiln_open(a.path ? a.path->c_str() : nullptr, a.options ? a.options->c_str() : nullptr, db, &err);
  if (st != KILN_OK) *message = TakeMessage(err);
  return st;
}

Napi::Value Open(const Napi::CallbackInfo& info) {
  OpenArgs a = ReadOpenArgs(info);
  kiln_db* db = nullptr;
  std::string message;
  int32_t st = OpenDb(a, &db, &message);
  if (st != KILN_OK) ThrowKiln(info.Env(), st, message);
  return NativeDb::Wrap(info.Env(), db);
}

class OpenWorker : public Worker {
 public:
  OpenWorker(Napi::Env env, OpenArgs args) : Worker(env, nullptr), args_(std::move(args)) {}
  ~OpenWorker() override {
    if (db_) (void)kiln_close(db_);  // never handed to JS
  }
  void Execute() override {
    status_ = OpenDb(args_, &db_, &message_);
  }

 protected:
  int32_t Run(kiln_db*, kiln_error**) override { return KILN_OK; }
  Napi::Value Result(Napi::Env env) override {
    kiln_db* db = db_;
    db_ = nullptr;
    return NativeDb::Wrap(env, db);
  }

 private:
  OpenArgs args_;
  kiln_db* db_ = nullptr;
};

Napi::Value OpenAsync(const Napi::CallbackInfo& info) {
  return (new OpenWorker(info.Env(), ReadOpenArgs(info)))->Queue();
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw Napi::TypeError::New(info.Env(), "KilnError class expected");
  Data(info.Env())->errorCtor = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value StatusName(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), kiln_status_name(info[0].As<Napi::Number>().Int32Value()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (kiln_abi_version() != KILN_ABI_VERSION) {
    throw Napi::Error::New(env, std::string("kilndb: engine ABI ") + std::to_string(kiln_abi_version()) +
                                    " does not match the header's " + std::to_string(KILN_ABI_VERSION));
  }
  auto* data = new AddonData(env);
  env.SetInstanceData(data);
  Napi::Function ctor = NativeDb::Define(env);
  data->dbCtor = Napi::Persistent(ctor);
  exports.Set("NativeDb", ctor);
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("openAsync", Napi::Function::New(env, OpenAsync, "openAsync"));
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass, "setErrorClass"));
  exports.Set("statusName", Napi::Function::New(env, StatusName, "statusName"));
  exports.Set("version", Napi::String::New(env, kiln_version()));
  exports.Set("versionNumber", Napi::Number::New(env, kiln_version_number()));
  exports.Set("headerVersion", Napi::String::New(env, KILN_VERSION_STRING));
  exports.Set("abiVersion", Napi::Number::New(env, kiln_abi_version()));
  return exports;
}

}  // namespace
}  // namespace kilnnode

static Napi::Object InitKilnAddon(Napi::Env env, Napi::Object exports) { return kilnnode::Init(env, exports); }

NODE_API_MODULE(kilndb, InitKilnAddon)
