// kilndb's binary document encoding (docs/document_format.md) -> Python
// objects: what Collection.get builds from kiln_get_encoded(), with no JSON
// text in between. The binding's own decoder (a binding never includes
// engine headers). Needs the GIL.
#pragma once

#ifndef PY_SSIZE_T_CLEAN
#define PY_SSIZE_T_CLEAN
#endif
#include <Python.h>

#include <cstddef>
#include <cstdint>

namespace kilnpy {

// The encoding version whose tags this decoder knows. The package refuses
// to import when the engine's kiln_encoding_version() is newer.
constexpr int32_t kDecoderEncodingVersion = 1;

// The Python value of the one encoded value in data[0, len): a new
// reference, or nullptr with a Python exception set. An unknown tag or
// malformed bytes raise kilndb.InternalError naming the tag or the byte
// offset; MemoryError and RecursionError pass through.
PyObject *encoded_to_python(const char *data, size_t len);

}  // namespace kilnpy
