// json_read.h — JSON text -> JS values, built directly with N-API from a
// simdjson DOM (no JSON.parse). Call on the JS thread only.
#pragma once

#include <node_api.h>

#include <cstddef>
#include <memory>

namespace kilnnode {

// Object keys seen before, kept as JS strings (one per env): reusing the same
// string object saves V8 creating, hashing and internalizing it per document.
class KeyCache {
 public:
  explicit KeyCache(napi_env env);
  ~KeyCache();
  // The JS string for `key` (created, and cached while there is room).
  napi_value Get(const char* key, size_t len);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses `len` bytes at `data` and returns the JS value. Numbers become JS
// numbers (as JSON.parse does). Malformed JSON throws a JS Error (as a
// Napi::Error C++ exception); the engine never returns it.
napi_value ReadJson(napi_env env, const char* data, size_t len, KeyCache* keys = nullptr);

// Variant (c) of BENCHMARKS.md (benchmark only): objects built by one
// compiled JS factory per shape (member names in order), arrays by one per
// length; leaves through N-API. One cache per env, JS thread only.
class ShapeCache {
 public:
  explicit ShapeCache(napi_env env);
  ~ShapeCache();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};
napi_value ReadJsonShaped(napi_env env, const char* data, size_t len, ShapeCache* cache);

}  // namespace kilnnode
