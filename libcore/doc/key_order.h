// The order in which an object's fields are laid out (format.h): by key
// bytes, and of fields with equal keys only the LAST is kept. Documents of
// one batch usually share their member names, so KeyOrderCache remembers the
// last answer and reuses it while the names repeat, instead of sorting again.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "doc/builder.h"

namespace kiln::doc {

// Fills `order` with the indexes of the fields to keep, sorted by key.
void sorted_field_order(std::span<const Field> fields, std::vector<uint32_t>& order);

class KeyOrderCache {
 public:
  // sorted_field_order(fields), valid until the next call.
  std::span<const uint32_t> order(std::span<const Field> fields);

 private:
  bool same_keys(std::span<const Field> fields) const;

  std::string keys_;                // the last key sequence, concatenated
  std::vector<uint32_t> key_ends_;  // where each of its keys ends in keys_
  std::vector<uint32_t> order_;     // its sorted_field_order
};

}  // namespace kiln::doc
