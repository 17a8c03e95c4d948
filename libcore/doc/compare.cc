#include "doc/compare.h"

#include <cstdint>

namespace kiln::doc {
namespace {

int type_rank(Value v) {
  switch (v.tag()) {
    case kNull: return 0;
    case kFalse: return 1;
    case kTrue: return 2;
    case kInt:
    case kUint:
    case kDouble:
    case kCents: return 3;
    case kString:
    case kStamp: return 4;
    case kArray: return 5;
    default: return 6;
  }
}

int compare_numbers(Value a, Value b) {
  if (a.tag() == kInt && b.tag() == kInt) {
    int64_t x = a.as_int(), y = b.as_int();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (!a.is_float() && !b.is_float()) {  // int/uint mix: compare exactly
    if (a.tag() == kUint && b.tag() == kUint) {
      uint64_t x = a.as_uint(), y = b.as_uint();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    return a.tag() == kUint ? 1 : -1;  // a uint is above every int64
  }
  double x = a.as_double(), y = b.as_double();
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

int compare_strings(Value a, Value b) {
  if (a.tag() == kStamp && b.tag() == kStamp) {
    const uint8_t* pa = a.data() + 1;
    const uint8_t* pb = b.data() + 1;
    uint64_t ca = get_varint(pa), cb = get_varint(pb);
    // Texts of one width order as their times do (fixed-width digits).
    if ((ca & 1) == (cb & 1)) {
      int64_t x = unzigzag(ca >> 1), y = unzigzag(cb >> 1);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
  }
  TextBuf ba, bb;
  int c = a.as_string(ba).compare(b.as_string(bb));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int total_order(Value a, Value b) {
  int ra = type_rank(a), rb = type_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 3: return compare_numbers(a, b);
    case 4: return compare_strings(a, b);
    case 5: {
      size_t na = a.count(), nb = b.count();
      Value x = a.first_element(), y = b.first_element();
      for (size_t i = 0; i < na && i < nb; ++i, x = x.next(), y = y.next()) {
        if (int c = total_order(x, y)) return c;
      }
      return na < nb ? -1 : (na > nb ? 1 : 0);
    }
    case 6: {
      size_t na = a.count(), nb = b.count();
      for (size_t i = 0; i < na && i < nb; ++i) {
        int c = a.key_at(i).compare(b.key_at(i));
        if (c) return c < 0 ? -1 : 1;
        if (int cv = total_order(a.value_at(i), b.value_at(i))) return cv;
      }
      return na < nb ? -1 : (na > nb ? 1 : 0);
    }
    default: return 0;  // null, false, true: the rank says it all
  }
}

bool equal(Value a, Value b) {
  bool a_float = a.is_float(), b_float = b.is_float();
  if (a.is_number() && b.is_number() && a_float != b_float) return false;
  if (a.is_array() && b.is_array()) {
    size_t n = a.count();
    if (n != b.count()) return false;
    Value x = a.first_element(), y = b.first_element();
    for (size_t i = 0; i < n; ++i, x = x.next(), y = y.next()) {
      if (!equal(x, y)) return false;
    }
    return true;
  }
  if (a.is_object() && b.is_object()) {
    size_t n = a.count();
    if (n != b.count()) return false;
    for (size_t i = 0; i < n; ++i) {
      if (a.key_at(i) != b.key_at(i) || !equal(a.value_at(i), b.value_at(i))) return false;
    }
    return true;
  }
  return total_order(a, b) == 0;
}

}  // namespace kiln::doc
