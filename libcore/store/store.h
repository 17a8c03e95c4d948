// Store: every collection of a database, by name. Synchronization is the
// owner's job (see Db).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "store/collection.h"
#include "util/hash.h"

namespace kiln {

class Store {
 public:
  const Collection* find(std::string_view name) const;
  Collection* find(std::string_view name);
  Collection& get_or_create(std::string_view name);
  // Removes the collection's documents; returns true if it existed. A
  // collection with index or schema definitions keeps them (and so stays).
  bool drop(std::string_view name);

  std::vector<std::string> names() const;  // sorted
  // The documents' size in RAM, all collections (Collection::bytes_in_ram).
  uint64_t bytes_in_ram() const;

  // Everything besides documents that defines the database (index and
  // schema definitions), as mutations that recreate it when applied to an
  // empty Store: what a snapshot stores next to the documents.
  std::vector<struct Mutation> definitions() const;

 private:
  absl::flat_hash_map<std::string, std::unique_ptr<Collection>, StringHash, StringEq> collections_;
};

}  // namespace kiln
