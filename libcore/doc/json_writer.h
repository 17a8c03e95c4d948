// The binary encoding -> JSON text. Object keys come out in sorted order
// (the order MoltenDB's serde_json maps use); numbers round-trip.
#pragma once

#include <string>
#include <string_view>

#include "doc/value.h"

namespace kiln::doc {

void write_json(Value v, std::string& out);

// Writes an object with an extra "_key" member at its sorted place (a stored
// "_key" field is replaced). A non-object value is written unchanged.
void write_json_with_key(Value v, std::string_view key, std::string& out);

void write_json_string(std::string_view s, std::string& out);

inline std::string to_json(Value v) {
  std::string out;
  write_json(v, out);
  return out;
}

}  // namespace kiln::doc
