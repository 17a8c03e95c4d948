// addon.cc — the native half of the kilndb Node.js binding.
//
// Exposes a small class, NativeDb, over kiln.h (and nothing else): execute,
// get, put, flush and close, each sync and as a Promise run on libuv's
// thread pool (Napi::AsyncWorker), and subscribe (change callbacks through a
// Napi::ThreadSafeFunction). The JS half (lib/) builds requests and the
// idiomatic API on top.
//
// Data paths (measured, see BENCHMARKS.md): requests and documents come in
// as JSON text (JSON.stringify in lib/, one string copy here), results go out
// as the engine's JSON text in one JS string (napi_create_string_utf8) that
// lib/ hands to V8's JSON.parse: both beat walking/building values through
// N-API (about 2x for get and getMany, 1.4-2.3x for put and set). The N-API
// converters (json_write.cc / json_read.cc) stay behind the `...Value` /
// `getObject` / `getShaped` methods, used only by bench/get_paths.js.
// KILN_NOT_FOUND comes back as `undefined` (cheap for the JS layer to turn
// into null / [] / an error), every other failure as a KilnError.
//
// Lifetime: the kiln_db lives in a Handle shared (std::shared_ptr) by the JS
// object and every queued worker. Each call enters the Handle first; close()
// marks it closing (no call may start after that), waits for the calls
// inside, then runs kiln_close. So a worker that starts after close() gets
// KILN_CLOSED, never a freed handle.
//
// Subscriptions: kiln_subscribe's callback (engine thread) queues each event
// on a ThreadSafeFunction with NonBlockingCall (unbounded queue: it never
// waits for the JS thread, so kiln_unsubscribe on the JS thread, which waits
// for a callback in flight, cannot deadlock). The SubState is shared by the
// engine (user_data, freed by the destroy callback, which also releases the
// TSFN), the TSFN (until its finalizer) and the JS Subscription; a mutex +
// flag stop engine calls into a TSFN that was released or finalized (e.g. a
// worker's env torn down first). The Handle keeps the engine tokens so that
// close() (explicit, async or by GC) unsubscribes each exactly once.
#include <napi.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "json_read.h"
#include "json_write.h"
#include "kiln.h"

namespace kilnnode {
namespace {

constexpr const char* kClosedMessage = "The database is closed";

struct AddonData {
  explicit AddonData(napi_env env) : keys(env), shapes(env) {}
  KeyCache keys;  // declared first: destroyed last
  ShapeCache shapes;
  Napi::FunctionReference dbCtor;
  Napi::FunctionReference subCtor;
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

// ---- Results as JSON text ---------------------------------------------------

bool IsAscii(const char* p, size_t n) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
  }
  for (; i < n; ++i) acc |= static_cast<unsigned char>(p[i]);
  return (acc & 0x8080808080808080ULL) == 0;
}

// How a result's text becomes a JS string (bench/get_paths.js compares them).
// UTF-8 is the default: V8's UTF-8 decoder has an ASCII fast path, and the
// latin1 variant's extra ASCII scan measured no faster (BENCHMARKS.md).
enum TextMode : int32_t {
  kTextUtf8 = 0,      // napi_create_string_utf8: the default
  kTextLatin1 = 1,    // latin1 (a plain copy into a one-byte string) when ASCII, else UTF-8
  kTextExternal = 2,  // external one-byte string over the engine's buffer when ASCII (no copy)
};

using CreateExternalLatin1 = napi_status (*)(napi_env, char*, size_t, void (*)(napi_env, void*, void*), void*,
                                             napi_value*, bool*);

CreateExternalLatin1 ExternalLatin1() {
  // Node >= 20.4 (experimental in N-API 8 headers): looked up at run time.
  static CreateExternalLatin1 fn =
      reinterpret_cast<CreateExternalLatin1>(dlsym(RTLD_DEFAULT, "node_api_create_external_string_latin1"));
  return fn;
}

void FreeExternal(napi_env, void* data, void*) { kiln_free(data); }

// The engine's JSON text (NUL-terminated, `len` bytes) as a JS string; takes
// ownership of `owned`.
Napi::Value Text(Napi::Env env, Owned owned, size_t len, int32_t mode = kTextUtf8) {
  napi_value v = nullptr;
  napi_status st;
  const char* p = owned.get();
  if (mode != kTextUtf8 && IsAscii(p, len)) {
    CreateExternalLatin1 ext = mode == kTextExternal ? ExternalLatin1() : nullptr;
    if (ext) {
      bool copied = false;
      st = ext(env, owned.get(), len, FreeExternal, nullptr, &v, &copied);
      if (st == napi_ok && !copied) owned.release();  // V8 frees it through FreeExternal
    } else {
      st = napi_create_string_latin1(env, p, len, &v);
    }
  } else {
    st = napi_create_string_utf8(env, p, len, &v);
  }
  if (st != napi_ok) throw Napi::Error::New(env);
  return Napi::Value(env, v);
}

// Variant (a) of BENCHMARKS.md: the result built as JS values through N-API.
Napi::Value Parse(Napi::Env env, const char* json, size_t len) {
  AddonData* data = Data(env);
  return Napi::Value(env, ReadJson(env, json, len, data ? &data->keys : nullptr));
}

// ---- Subscriptions ------------------------------------------------------------

// One change event, carried from the engine's delivery thread to the JS thread.
struct Event {
  std::string collection;
  std::string key;
  int64_t new_v;
  uint64_t lsn;
};

struct SubState;
void CallListener(Napi::Env env, Napi::Function fn, SubState* state, Event* ev);
using Tsfn = Napi::TypedThreadSafeFunction<SubState, Event, CallListener>;

// Shared by the JS Subscription object, the engine (user_data, until its
// destroy callback) and the TSFN (until its finalizer).
struct SubState {
  std::mutex mu;         // orders the engine thread's calls with Release/finalize
  bool usable = false;   // the TSFN exists and was not released (under mu)
  std::atomic<bool> cancelled{false};  // cancel(): drop events not yet handed to JS
  Tsfn tsfn;
};

void CallListener(Napi::Env env, Napi::Function fn, SubState* state, Event* ev) {
  std::unique_ptr<Event> e(ev);
  if (env == nullptr || fn.IsEmpty() || state->cancelled.load(std::memory_order_acquire)) return;
  napi_value args[4];
  napi_create_string_utf8(env, e->collection.data(), e->collection.size(), &args[0]);
  napi_create_string_utf8(env, e->key.data(), e->key.size(), &args[1]);
  if (e->new_v == KILN_CHANGE_DELETED) {
    napi_get_null(env, &args[2]);
  } else {
    napi_create_double(env, static_cast<double>(e->new_v), &args[2]);
  }
  napi_create_double(env, static_cast<double>(e->lsn), &args[3]);
  try {
    // lib/ wraps the listener: it catches and reports what the listener
    // throws. This catch is the last resort (the reporter itself threw), so
    // an exception never reaches the event loop as an uncaught one.
    fn.Call(env.Undefined(), {args[0], args[1], args[2], args[3]});
  } catch (const Napi::Error&) {
  }
}

// kiln_change_fn: on the engine's delivery thread. Never blocks (unbounded
// queue), so kiln_unsubscribe on the JS thread cannot deadlock with it.
void OnChange(void* user_data, const char* coll, size_t coll_len, const char* key, size_t key_len, int64_t new_v,
              uint64_t lsn) {
  SubState& st = **static_cast<std::shared_ptr<SubState>*>(user_data);
  if (st.cancelled.load(std::memory_order_acquire)) return;
  auto* ev = new Event{std::string(coll, coll_len), std::string(key, key_len), new_v, lsn};
  std::lock_guard<std::mutex> l(st.mu);
  if (!st.usable || st.tsfn.NonBlockingCall(ev) != napi_ok) delete ev;
}

// kiln_destroy_fn: no callback runs any more; events already queued are
// still delivered (unless cancelled), then the TSFN finalizes and stops
// holding the event loop.
void OnDestroy(void* user_data) {
  auto* sp = static_cast<std::shared_ptr<SubState>*>(user_data);
  {
    SubState& st = **sp;
    std::lock_guard<std::mutex> l(st.mu);
    if (st.usable) {
      st.usable = false;
      st.tsfn.Release();
    }
  }
  delete sp;
}

void FinalizeTsfn(Napi::Env, std::shared_ptr<SubState>* sp, SubState*) {
  {
    std::lock_guard<std::mutex> l((*sp)->mu);
    (*sp)->usable = false;  // e.g. the env is torn down before unsubscribe
  }
  delete sp;
}

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
  // Registers a subscription (called inside a call, so close() waits for it).
  void AddSub(SubState* state, kiln_subscription* sub) {
    std::lock_guard<std::mutex> l(mu_);
    subs_.emplace_back(state, sub);
  }
  // The engine token of `state`, removed from the registry; nullptr if
  // close() already took it. The caller unsubscribes.
  kiln_subscription* TakeSub(SubState* state) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto it = subs_.begin(); it != subs_.end(); ++it) {
      if (it->first == state) {
        kiln_subscription* sub = it->second;
        subs_.erase(it);
        return sub;
      }
    }
    return nullptr;
  }
  // Stops new calls, waits for running ones, closes (the engine delivers the
  // changes committed so far), then ends every subscription. Idempotent: a
  // second call (even while the first is still flushing) returns KILN_OK.
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
    std::vector<std::pair<SubState*, kiln_subscription*>> subs;
    subs.swap(subs_);
    l.unlock();
    for (auto& s : subs) kiln_unsubscribe(s.second);  // allowed after kiln_close
    return st;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  kiln_db* db_;
  int active_ = 0;
  bool closing_ = false;
  std::vector<std::pair<SubState*, kiln_subscription*>> subs_;
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

Napi::Value Finish(Napi::Env env, int32_t st, char* out, size_t len, kiln_error* err, int32_t mode = kTextUtf8) {
  Owned owned(out);
  if (st == KILN_OK) return Text(env, std::move(owned), len, mode);
  std::string msg = TakeMessage(err);
  if (st == KILN_NOT_FOUND) return env.Undefined();
  ThrowKiln(env, st, msg);
}

Napi::Value FinishValue(Napi::Env env, int32_t st, char* out, size_t len, kiln_error* err) {
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
  virtual Napi::Value Result(Napi::Env env) {
    char* out = out_;
    out_ = nullptr;
    return Text(env, Owned(out), out_len_);
  }

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

class FlushWorker : public Worker {
 public:
  using Worker::Worker;

 protected:
  int32_t Run(kiln_db* db, kiln_error** err) override { return kiln_flush(db, err); }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
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

class VerifyWorker : public Worker {
 public:
  VerifyWorker(Napi::Env env, std::string path) : Worker(env, nullptr), path_(std::move(path)) {}
  void Execute() override {
    kiln_error* err = nullptr;
    status_ = kiln_verify(path_.c_str(), &out_, &out_len_, &err);
    if (status_ != KILN_OK) message_ = TakeMessage(err);
  }

 protected:
  int32_t Run(kiln_db*, kiln_error**) override { return KILN_OK; }

 private:
  std::string path_;
};

// Request / document text from JS (JSON.stringify'd in lib/).
std::string JsonArg(const Napi::Value& v, const char* what) {
  if (!v.IsString()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be JSON text");
  return v.As<Napi::String>().Utf8Value();
}

// ---- NativeSubscription -------------------------------------------------------

class NativeSubscription : public Napi::ObjectWrap<NativeSubscription> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeSubscription",
                       {
                           InstanceMethod<&NativeSubscription::Cancel>("cancel"),
                           InstanceMethod<&NativeSubscription::Ref>("ref"),
                           InstanceMethod<&NativeSubscription::Unref>("unref"),
                       });
  }

  explicit NativeSubscription(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeSubscription>(info) {}

  // Subscribes `listener(collection, key, newV, lsn)` to the changes of
  // `collection` (nullptr: all). Throws KILN_CLOSED / KILN_INVALID_ARGUMENT.
  static Napi::Value Subscribe(Napi::Env env, const std::shared_ptr<Handle>& h, const std::optional<std::string>& coll,
                               Napi::Function listener) {
    auto state = std::make_shared<SubState>();
    state->tsfn = Tsfn::New(env, listener, "kilndb.subscription", 0, 1, state.get(), FinalizeTsfn,
                            new std::shared_ptr<SubState>(state));
    state->usable = true;
    auto* user_data = new std::shared_ptr<SubState>(state);
    kiln_subscription* sub = nullptr;
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h);
      if (!call.db()) {
        st = KILN_CLOSED;
      } else {
        st = kiln_subscribe(call.db(), coll ? coll->data() : nullptr, coll ? coll->size() : 0, OnChange, user_data,
                            OnDestroy, &sub, &err);
        if (st == KILN_OK) h->AddSub(state.get(), sub);
      }
    }
    if (st != KILN_OK) {
      delete user_data;  // destroy is not called on failure
      {
        std::lock_guard<std::mutex> l(state->mu);
        state->usable = false;
        state->tsfn.Release();
      }
      ThrowKiln(env, st, st == KILN_CLOSED && !err ? std::string(kClosedMessage) : TakeMessage(err));
    }
    Napi::Object obj = Data(env)->subCtor.New({});
    NativeSubscription* self = Unwrap(obj);
    self->h_ = h;
    self->state_ = std::move(state);
    return obj;
  }

 private:
  // No listener call happens after cancel() returns. Idempotent.
  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    if (state_) {
      state_->cancelled.store(true, std::memory_order_release);
      if (kiln_subscription* sub = h_->TakeSub(state_.get())) kiln_unsubscribe(sub);  // runs OnDestroy
      state_.reset();
      h_.reset();
    }
    return info.Env().Undefined();
  }

  Napi::Value Ref(const Napi::CallbackInfo& info) {
    if (state_) {
      std::lock_guard<std::mutex> l(state_->mu);
      if (state_->usable) state_->tsfn.Ref(info.Env());
    }
    return info.This();
  }

  Napi::Value Unref(const Napi::CallbackInfo& info) {
    if (state_) {
      std::lock_guard<std::mutex> l(state_->mu);
      if (state_->usable) state_->tsfn.Unref(info.Env());
    }
    return info.This();
  }

  std::shared_ptr<Handle> h_;
  std::shared_ptr<SubState> state_;
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
                           InstanceMethod<&NativeDb::Flush>("flush"),
                           InstanceMethod<&NativeDb::FlushAsync>("flushAsync"),
                           InstanceMethod<&NativeDb::SubscribeMethod>("subscribe"),
                           InstanceMethod<&NativeDb::Close>("close"),
                           InstanceMethod<&NativeDb::CloseAsync>("closeAsync"),
                           InstanceAccessor<&NativeDb::IsOpen>("isOpen"),
                           // The N-API converters and string variants, for bench/get_paths.js.
                           InstanceMethod<&NativeDb::ExecuteValue>("executeValue"),
                           InstanceMethod<&NativeDb::PutValue>("putValue"),
                           InstanceMethod<&NativeDb::GetObject>("getObject"),
                           InstanceMethod<&NativeDb::GetText>("getText"),
                           InstanceMethod<&NativeDb::GetShaped>("getShaped"),
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

  Napi::Value RunExecute(Napi::Env env, const std::string& req, bool value) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h_);
      st = kiln_execute(EnterOrThrow(env, call), req.data(), req.size(), &out, &len, &err);
    }
    return value ? FinishValue(env, st, out, len, err) : Finish(env, st, out, len, err);
  }

  // execute(requestText) -> response text | undefined (not found)
  Napi::Value Execute(const Napi::CallbackInfo& info) {
    return RunExecute(info.Env(), JsonArg(info[0], "request"), false);
  }

  Napi::Value ExecuteAsync(const Napi::CallbackInfo& info) {
    return (new ExecuteWorker(info.Env(), h_, JsonArg(info[0], "request")))->Queue();
  }

  // executeValue(requestObject) -> response object: the N-API converters both ways.
  Napi::Value ExecuteValue(const Napi::CallbackInfo& info) {
    std::string req;
    req.reserve(256);
    WriteJson(info.Env(), info[0], req);
    return RunExecute(info.Env(), req, true);
  }

  int32_t RunGet(const Napi::CallbackInfo& info, char** out, size_t* len, kiln_error** err) {
    Napi::Env env = info.Env();
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    Call call(h_);
    return kiln_get(EnterOrThrow(env, call), coll.data(), coll.size(), key.data(), key.size(), out, len, err);
  }

  // get(collection, key) -> document text | undefined
  Napi::Value Get(const Napi::CallbackInfo& info) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st = RunGet(info, &out, &len, &err);
    return Finish(info.Env(), st, out, len, err);
  }

  // getText(collection, key, mode) -> document text in TextMode `mode`
  Napi::Value GetText(const Napi::CallbackInfo& info) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t mode = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : kTextUtf8;
    int32_t st = RunGet(info, &out, &len, &err);
    return Finish(info.Env(), st, out, len, err, mode);
  }

  // getObject(collection, key) -> document built through N-API | undefined
  Napi::Value GetObject(const Napi::CallbackInfo& info) {
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st = RunGet(info, &out, &len, &err);
    return FinishValue(info.Env(), st, out, len, err);
  }

  // getShaped(collection, key) -> document built by shape-cached factories | undefined
  Napi::Value GetShaped(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    char* out = nullptr;
    size_t len = 0;
    kiln_error* err = nullptr;
    int32_t st = RunGet(info, &out, &len, &err);
    Owned owned(out);
    if (st == KILN_OK) return Napi::Value(env, ReadJsonShaped(env, out, len, &Data(env)->shapes));
    std::string msg = TakeMessage(err);
    if (st == KILN_NOT_FOUND) return env.Undefined();
    ThrowKiln(env, st, msg);
  }

  Napi::Value GetAsync(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    return (new GetWorker(info.Env(), h_, std::move(coll), std::move(key)))->Queue();
  }

  Napi::Value RunPut(Napi::Env env, const std::string& coll, const std::string& key, const std::string& doc) {
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

  // put(collection, key, documentText) -> _v
  Napi::Value Put(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    return RunPut(info.Env(), coll, key, JsonArg(info[2], "document"));
  }

  // putValue(collection, key, documentValue) -> _v, through the C++ writer
  Napi::Value PutValue(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    std::string doc;
    WriteJson(info.Env(), info[2], doc);
    return RunPut(info.Env(), coll, key, doc);
  }

  Napi::Value PutAsync(const Napi::CallbackInfo& info) {
    std::string coll = Utf8(info[0], "collection");
    std::string key = Utf8(info[1], "key");
    std::string doc = JsonArg(info[2], "document");
    return (new PutWorker(info.Env(), h_, std::move(coll), std::move(key), std::move(doc)))->Queue();
  }

  Napi::Value Flush(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    kiln_error* err = nullptr;
    int32_t st;
    {
      Call call(h_);
      st = kiln_flush(EnterOrThrow(env, call), &err);
    }
    if (st != KILN_OK) ThrowKiln(env, st, TakeMessage(err));
    return env.Undefined();
  }

  Napi::Value FlushAsync(const Napi::CallbackInfo& info) { return (new FlushWorker(info.Env(), h_))->Queue(); }

  // subscribe(collection | null, listener(collection, key, newV, lsn)) -> NativeSubscription
  Napi::Value SubscribeMethod(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    std::optional<std::string> coll;
    if (!info[0].IsNull() && !info[0].IsUndefined()) coll = Utf8(info[0], "collection");
    if (!info[1].IsFunction()) throw Napi::TypeError::New(env, "listener must be a function");
    return NativeSubscription::Subscribe(env, h_, coll, info[1].As<Napi::Function>());
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

// verify(path) -> report text (throws when the check could not run)
Napi::Value Verify(const Napi::CallbackInfo& info) {
  std::string path = Utf8(info[0], "path");
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t st = kiln_verify(path.c_str(), &out, &len, &err);
  if (st == KILN_NOT_FOUND) {
    kiln_free(out);
    ThrowKiln(info.Env(), st, TakeMessage(err));
  }
  return Finish(info.Env(), st, out, len, err);
}

Napi::Value VerifyAsync(const Napi::CallbackInfo& info) {
  return (new VerifyWorker(info.Env(), Utf8(info[0], "path")))->Queue();
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
  data->subCtor = Napi::Persistent(NativeSubscription::Define(env));
  exports.Set("NativeDb", ctor);
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("openAsync", Napi::Function::New(env, OpenAsync, "openAsync"));
  exports.Set("verify", Napi::Function::New(env, Verify, "verify"));
  exports.Set("verifyAsync", Napi::Function::New(env, VerifyAsync, "verifyAsync"));
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
