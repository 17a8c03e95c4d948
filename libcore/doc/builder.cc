#include "doc/builder.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "util/varint.h"

namespace kiln::doc {

void put_null(std::string& out) { out.push_back(static_cast<char>(kNull)); }
void put_bool(std::string& out, bool b) { out.push_back(static_cast<char>(b ? kTrue : kFalse)); }

void put_int(std::string& out, int64_t v) {
  out.push_back(static_cast<char>(kInt));
  put_varint(out, zigzag(v));
}

void put_uint(std::string& out, uint64_t v) {
  if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    put_int(out, static_cast<int64_t>(v));
    return;
  }
  out.push_back(static_cast<char>(kUint));
  out.append(reinterpret_cast<const char*>(&v), 8);
}

void put_double(std::string& out, double v) {
  out.push_back(static_cast<char>(kDouble));
  out.append(reinterpret_cast<const char*>(&v), 8);
}

void put_string(std::string& out, std::string_view s) {
  out.push_back(static_cast<char>(kString));
  put_varint(out, s.size());
  out.append(s);
}

namespace {

// The first 8 bytes of a key as a big-endian number (zero-padded): ordering
// by it agrees with ordering by the bytes, so most comparisons of a sort are
// one integer compare; equal prefixes fall back to the whole keys.
uint64_t key_prefix(std::string_view key) {
  const char* p = key.data();
  uint64_t v = 0;
  if (key.size() >= 8) {
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
  }
  // Shorter keys: read in 4-, 2- and 1-byte pieces (never past the end).
  size_t n = key.size(), at = 0;
  if (n & 4) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    v = static_cast<uint64_t>(__builtin_bswap32(w)) << 32;
    at = 4;
  }
  if (n & 2) {
    uint16_t w;
    std::memcpy(&w, p + at, 2);
    v |= static_cast<uint64_t>(__builtin_bswap16(w)) << (48 - 8 * at);
    at += 2;
  }
  if (n & 1) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[at])) << (56 - 8 * at);
  return v;
}

// Stable insertion sort by key: allocation-free and fastest for
// document-sized objects (often nearly sorted already).
void sort_small(std::vector<Field>& fields) {
  constexpr size_t kMax = 32;
  uint64_t prefix[kMax];
  for (size_t i = 0; i < fields.size(); ++i) prefix[i] = key_prefix(fields[i].key);
  for (size_t i = 1; i < fields.size(); ++i) {
    Field f = fields[i];
    uint64_t p = prefix[i];
    size_t j = i;
    for (; j > 0 && (p < prefix[j - 1] || (p == prefix[j - 1] && f.key < fields[j - 1].key)); --j) {
      fields[j] = fields[j - 1];
      prefix[j] = prefix[j - 1];
    }
    fields[j] = f;
    prefix[j] = p;
  }
}

}  // namespace

void put_object(std::string& out, std::vector<Field>& fields) {
  if (fields.size() <= 32) {
    sort_small(fields);
  } else {
    std::stable_sort(fields.begin(), fields.end(), [](const Field& a, const Field& b) { return a.key < b.key; });
  }
  // Keep the last of each run of equal keys.
  size_t kept = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i + 1 < fields.size() && fields[i + 1].key == fields[i].key) continue;
    fields[kept++] = fields[i];
  }
  fields.resize(kept);

  size_t entries_size = 0;
  for (const Field& f : fields) entries_size += varint_size(f.key.size()) + f.key.size() + f.value.size();
  bool wide = entries_size > 0xffff;
  size_t width = wide ? 4 : 2;
  size_t payload = varint_size(fields.size()) + fields.size() * width + entries_size;

  // Grow once, then write through a pointer: objects are built for every
  // stored document, so this is on the insert hot path.
  size_t at = out.size();
  out.resize(at + 1 + varint_size(payload) + payload);
  uint8_t* p = reinterpret_cast<uint8_t*>(out.data() + at);
  *p++ = wide ? kObject32 : kObject16;
  p = write_varint(p, payload);
  p = write_varint(p, fields.size());
  uint8_t* table = p;
  uint8_t* entries = table + fields.size() * width;
  uint8_t* e = entries;
  for (size_t i = 0; i < fields.size(); ++i) {
    uint32_t off = static_cast<uint32_t>(e - entries);
    if (wide) {
      std::memcpy(table + 4 * i, &off, 4);
    } else {
      uint16_t o16 = static_cast<uint16_t>(off);
      std::memcpy(table + 2 * i, &o16, 2);
    }
    e = write_varint(e, fields[i].key.size());
    std::memcpy(e, fields[i].key.data(), fields[i].key.size());
    e += fields[i].key.size();
    std::memcpy(e, fields[i].value.data(), fields[i].value.size());
    e += fields[i].value.size();
  }
}

void put_array(std::string& out, size_t count, std::string_view elements) {
  out.push_back(static_cast<char>(kArray));
  put_varint(out, varint_size(count) + elements.size());
  put_varint(out, count);
  out.append(elements);
}

ObjectEditor::ObjectEditor(Value object) {
  size_t n = object.count();
  fields_.reserve(n + 4);
  for (size_t i = 0; i < n; ++i) fields_.push_back({object.key_at(i), object.value_at(i).bytes()});
}

void ObjectEditor::set(std::string_view key, std::string_view encoded_value) {
  owned_.emplace_back(key);
  std::string_view k = owned_.back();
  owned_.emplace_back(encoded_value);
  std::string_view v = owned_.back();
  remove(key);
  fields_.push_back({k, v});
}

void ObjectEditor::remove(std::string_view key) {
  std::erase_if(fields_, [&](const Field& f) { return f.key == key; });
}

bool ObjectEditor::has(std::string_view key) const { return get(key).valid(); }

Value ObjectEditor::get(std::string_view key) const {
  for (const Field& f : fields_) {
    if (f.key == key) return Value(f.value);
  }
  return Value();
}

std::string ObjectEditor::build() {
  std::string out;
  put_object(out, fields_);
  return out;
}

std::string remove_path(Value object, const std::vector<std::string_view>& path) {
  if (!object.is_object() || path.empty()) return std::string(object.bytes());
  ObjectEditor editor(object);
  Value child = object.find(path[0]);
  if (!child.valid()) return std::string(object.bytes());
  if (path.size() == 1) {
    editor.remove(path[0]);
  } else {
    if (!child.is_object()) return std::string(object.bytes());
    std::vector<std::string_view> rest(path.begin() + 1, path.end());
    editor.set(path[0], remove_path(child, rest));
  }
  return editor.build();
}

}  // namespace kiln::doc
