#include "doc/builder.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "doc/key_order.h"
#include "doc/timestamp.h"
#include "util/short_bytes.h"
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
  int64_t cents;
  if (cents_of(v, &cents)) {
    out.push_back(static_cast<char>(kCents));
    put_varint(out, zigzag(cents));
    return;
  }
  out.push_back(static_cast<char>(kDouble));
  out.append(reinterpret_cast<const char*>(&v), 8);
}

void put_string(std::string& out, std::string_view s) {
  uint64_t code;
  if (parse_stamp(s, &code)) {
    out.push_back(static_cast<char>(kStamp));
    put_varint(out, code);
    return;
  }
  out.push_back(static_cast<char>(kString));
  put_varint(out, s.size());
  out.append(s);
}

void put_object(std::string& out, std::vector<Field>& fields) {
  thread_local std::vector<uint32_t> order;
  sorted_field_order(fields, order);
  put_object_ordered(out, fields, order);
}

void put_object_ordered(std::string& out, std::span<const Field> fields, std::span<const uint32_t> order) {
  size_t count = order.size();
  size_t entries_size = 0;
  for (uint32_t i : order) entries_size += varint_size(fields[i].key.size()) + fields[i].key.size() + fields[i].value.size();
  Tag tag = entries_size <= 0xff ? kObject8 : (entries_size <= 0xffff ? kObject16 : kObject32);
  unsigned width = offset_width(tag);
  size_t payload = varint_size(count) + count * width + entries_size;

  // Grow once, then write through a pointer: objects are built for every
  // stored document, so this is on the insert hot path.
  size_t at = out.size();
  out.resize(at + 1 + varint_size(payload) + payload);
  uint8_t* p = reinterpret_cast<uint8_t*>(out.data() + at);
  *p++ = tag;
  p = write_varint(p, payload);
  p = write_varint(p, count);
  uint8_t* table = p;
  uint8_t* entries = table + count * width;
  uint8_t* e = entries;
  for (size_t i = 0; i < count; ++i) {
    const Field& f = fields[order[i]];
    uint32_t off = static_cast<uint32_t>(e - entries);
    if (width == 1) {
      table[i] = static_cast<uint8_t>(off);
    } else if (width == 2) {
      uint16_t o16 = static_cast<uint16_t>(off);
      std::memcpy(table + 2 * i, &o16, 2);
    } else {
      std::memcpy(table + 4 * i, &off, 4);
    }
    e = write_varint(e, f.key.size());
    copy_short(reinterpret_cast<char*>(e), f.key.data(), f.key.size());
    e += f.key.size();
    copy_short(reinterpret_cast<char*>(e), f.value.data(), f.value.size());
    e += f.value.size();
  }
}

void put_array(std::string& out, size_t count, std::string_view elements) {
  out.push_back(static_cast<char>(kArray));
  put_varint(out, varint_size(count) + elements.size());
  put_varint(out, count);
  out.append(elements);
}

void put_canonical(std::string& out, Value v) {
  switch (v.tag()) {
    case kString: {
      TextBuf buf;
      put_string(out, v.as_string(buf));
      return;
    }
    case kDouble: put_double(out, v.as_double()); return;
    case kArray: {
      std::string elements;
      size_t n = v.count();
      Value e = v.first_element();
      for (size_t i = 0; i < n; ++i, e = e.next()) put_canonical(elements, e);
      put_array(out, n, elements);
      return;
    }
    case kObject8:
    case kObject16:
    case kObject32: {
      // Keys are stored sorted and unique: the order is the stored one.
      std::deque<std::string> values;
      std::vector<Field> fields;
      std::vector<uint32_t> order;
      v.for_each_field([&](std::string_view key, Value field) {
        values.emplace_back();
        put_canonical(values.back(), field);
        order.push_back(static_cast<uint32_t>(fields.size()));
        fields.push_back({key, values.back()});
      });
      put_object_ordered(out, fields, order);
      return;
    }
    default: out.append(v.bytes());  // one encoding only
  }
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
