// Writing encoded values (format.h): scalars, and objects/arrays from
// already-encoded children. Used by the JSON encoder and by every write op
// that edits a document (metadata, merges, $unset) without re-parsing JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <span>
#include <vector>

#include "doc/value.h"

namespace kiln::doc {

void put_null(std::string& out);
void put_bool(std::string& out, bool b);
void put_int(std::string& out, int64_t v);
void put_uint(std::string& out, uint64_t v);
void put_double(std::string& out, double v);  // in the cents form when it has one
// A string: a stamp when s has the exact shape of one (format.h).
void put_string(std::string& out, std::string_view s);

// One object field: key and the encoded bytes of its value.
struct Field {
  std::string_view key;
  std::string_view value;
};

// Appends an object made of `fields` (in any order) to out. Fields are sorted
// by key; when a key repeats, the LAST occurrence wins (as in JSON parsers
// that keep the last duplicate).
void put_object(std::string& out, std::vector<Field>& fields);

// Appends the object made of fields[order[0]], fields[order[1]], ...: the
// order must be sorted_field_order(fields) (key_order.h).
void put_object_ordered(std::string& out, std::span<const Field> fields, std::span<const uint32_t> order);

// Appends an array of `count` values whose encodings are concatenated in
// `elements`.
void put_array(std::string& out, size_t count, std::string_view elements);

// Appends v as the writers above encode it now (format.h: the narrowest
// object tables, stamps): one value has exactly one such encoding, so it can
// key a hash of values, whatever form (older data) v itself is stored in.
void put_canonical(std::string& out, Value v);

// Edits the fields of an existing object: start from a copy of its fields,
// then set/remove, then build. Values set here are copied into the editor.
class ObjectEditor {
 public:
  ObjectEditor() = default;
  explicit ObjectEditor(Value object);  // object must be an object value

  void set(std::string_view key, std::string_view encoded_value);
  void remove(std::string_view key);
  bool has(std::string_view key) const;
  Value get(std::string_view key) const;  // invalid Value if absent

  std::string build();

 private:
  std::vector<Field> fields_;
  std::deque<std::string> owned_;  // stable storage for keys/values passed to set()
};

// Returns `object` with the field at `path` (a.b.c) removed; unchanged when
// the path does not lead to a field. A parent object left empty stays.
std::string remove_path(Value object, const std::vector<std::string_view>& path);

}  // namespace kiln::doc
