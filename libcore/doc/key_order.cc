#include "doc/key_order.h"

#include <algorithm>
#include <cstring>

#include "util/short_bytes.h"

namespace kiln::doc {
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

// Stable insertion sort of indexes by key: allocation-free and fastest for
// document-sized objects (often nearly sorted already).
void sort_small(std::span<const Field> fields, std::vector<uint32_t>& order) {
  constexpr size_t kMax = 32;
  uint64_t prefix[kMax];
  for (size_t i = 0; i < fields.size(); ++i) prefix[i] = key_prefix(fields[i].key);
  for (uint32_t i = 0; i < fields.size(); ++i) {
    uint64_t p = prefix[i];
    size_t j = i;
    for (; j > 0; --j) {
      uint32_t before = order[j - 1];
      if (!(p < prefix[before] || (p == prefix[before] && fields[i].key < fields[before].key))) break;
      order[j] = before;
    }
    order[j] = i;
  }
}

}  // namespace

void sorted_field_order(std::span<const Field> fields, std::vector<uint32_t>& order) {
  order.resize(fields.size());
  if (fields.size() <= 32) {
    sort_small(fields, order);
  } else {
    for (uint32_t i = 0; i < fields.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return fields[a].key < fields[b].key; });
  }
  // Keep the last of each run of equal keys.
  size_t kept = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && fields[order[i + 1]].key == fields[order[i]].key) continue;
    order[kept++] = order[i];
  }
  order.resize(kept);
}

std::span<const uint32_t> KeyOrderCache::order(std::span<const Field> fields) {
  if (same_keys(fields)) return order_;
  sorted_field_order(fields, order_);
  keys_.clear();
  key_ends_.clear();
  for (const Field& f : fields) {
    keys_.append(f.key);
    key_ends_.push_back(static_cast<uint32_t>(keys_.size()));
  }
  return order_;
}

bool KeyOrderCache::same_keys(std::span<const Field> fields) const {
  if (fields.size() != key_ends_.size() || fields.empty()) return false;
  const char* cached = keys_.data();
  uint32_t begin = 0;
  for (size_t i = 0; i < fields.size(); ++i) {
    std::string_view key = fields[i].key;
    if (key.size() != key_ends_[i] - begin || !equal_short(key.data(), cached + begin, key.size())) return false;
    begin = key_ends_[i];
  }
  return true;
}

}  // namespace kiln::doc
