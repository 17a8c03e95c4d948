#include "doc/value.h"

#include <algorithm>

namespace kiln::doc {
namespace {

uint64_t load_u64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;  // little-endian hosts only (checked in CMake)
}

}  // namespace

Type Value::type() const {
  switch (tag()) {
    case kNull: return Type::kNull;
    case kFalse:
    case kTrue: return Type::kBool;
    case kInt:
    case kUint:
    case kDouble:
    case kCents: return Type::kNumber;
    case kString:
    case kStamp: return Type::kString;
    case kArray: return Type::kArray;
    default: return Type::kObject;
  }
}

int64_t Value::as_int() const {
  const uint8_t* p = p_ + 1;
  return unzigzag(get_varint(p));
}

uint64_t Value::as_uint() const { return load_u64(p_ + 1); }

double Value::as_double() const {
  switch (tag()) {
    case kInt: return static_cast<double>(as_int());
    case kUint: return static_cast<double>(as_uint());
    case kDouble: {
      double d;
      std::memcpy(&d, p_ + 1, 8);
      return d;
    }
    case kCents: {
      const uint8_t* p = p_ + 1;
      return static_cast<double>(unzigzag(get_varint(p))) / 100;
    }
    default: return 0;
  }
}

bool Value::get_uint(uint64_t* out) const {
  if (tag() == kUint) {
    *out = as_uint();
    return true;
  }
  if (tag() == kInt && as_int() >= 0) {
    *out = static_cast<uint64_t>(as_int());
    return true;
  }
  return false;
}

Value Value::search(std::string_view key, uint32_t* hint) const {
  if (!is_object()) return Value();
  size_t count;
  unsigned width;
  const uint8_t* entries = object_entries(&count, &width);
  const uint8_t* table = entries - count * width;
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const uint8_t* e = entries + table_offset(table, width, mid);
    size_t len = *e < 0x80 ? *e++ : static_cast<size_t>(get_varint(e));
    size_t common = std::min(len, key.size());
    int c = common ? std::memcmp(e, key.data(), common) : 0;
    if (c == 0) c = len < key.size() ? -1 : (len > key.size() ? 1 : 0);
    if (c == 0) {
      if (hint) *hint = static_cast<uint32_t>(mid);
      return Value(e + len);
    }
    if (c < 0) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return Value();
}

size_t Value::size() const {
  const uint8_t* p = p_ + 1;
  switch (tag()) {
    case kNull:
    case kFalse:
    case kTrue: return 1;
    case kInt:
    case kStamp:
    case kCents: get_varint(p); return static_cast<size_t>(p - p_);
    case kUint:
    case kDouble: return 9;
    default: {  // string, array, object: a length then that many bytes
      uint64_t len = get_varint(p);
      return static_cast<size_t>(p - p_) + len;
    }
  }
}

size_t Value::count() const {
  const uint8_t* p = p_ + 1;
  get_varint(p);  // payload length
  return static_cast<size_t>(get_varint(p));
}

const uint8_t* Value::object_entries(size_t* count, unsigned* width) const {
  const uint8_t* p = p_ + 1;
  get_varint(p);
  *count = static_cast<size_t>(get_varint(p));
  *width = offset_width(tag());
  return p + *count * *width;
}

const uint8_t* Value::entry_at(size_t i) const {
  size_t n;
  unsigned width;
  const uint8_t* entries = object_entries(&n, &width);
  return entries + table_offset(entries - n * width, width, i);
}

std::string_view Value::stamp_text(TextBuf& buf) const {
  const uint8_t* p = p_ + 1;
  return {buf.chars, format_stamp(get_varint(p), buf.chars)};
}

std::string_view Value::key_at(size_t i) const {
  const uint8_t* p = entry_at(i);
  uint64_t len = get_varint(p);
  return {reinterpret_cast<const char*>(p), static_cast<size_t>(len)};
}

Value Value::value_at(size_t i) const {
  const uint8_t* p = entry_at(i);
  uint64_t len = get_varint(p);
  return Value(p + len);
}

Value Value::first_element() const {
  const uint8_t* p = p_ + 1;
  get_varint(p);
  get_varint(p);
  return Value(p);
}

}  // namespace kiln::doc
