// json_write.h — JS value -> JSON text, walking N-API values directly (no
// JSON.stringify). Follows JSON.stringify's rules for what JSON can express.
#pragma once

#include <node_api.h>

#include <string>

namespace kilnnode {

// Appends the JSON text of `value` to `out`:
//  - object members whose value is undefined, a function or a symbol are
//    left out; in arrays they become null (as JSON.stringify does);
//  - NaN and +-Infinity become null; a Date becomes its ISO string (null if
//    invalid); only own enumerable string keys of objects are written;
//  - a BigInt, or nesting deeper than 256 levels (e.g. a cycle), throws a
//    JS TypeError (as a Napi::Error C++ exception).
void WriteJson(napi_env env, napi_value value, std::string& out);

}  // namespace kilnnode
