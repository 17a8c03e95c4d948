// json_read.h — JSON text -> JS values, built directly with N-API from a
// simdjson DOM (no JSON.parse). Call on the JS thread only.
#pragma once

#include <node_api.h>

#include <cstddef>

namespace kilnnode {

// Parses `len` bytes at `data` and returns the JS value. Numbers become JS
// numbers (as JSON.parse does). Malformed JSON throws a JS Error (as a
// Napi::Error C++ exception); the engine never returns it.
napi_value ReadJson(napi_env env, const char* data, size_t len);

}  // namespace kilnnode
