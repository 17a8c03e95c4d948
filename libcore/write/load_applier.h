// LoadApplier: applies the mutations read while opening a database (the
// snapshot, then the log tail) with the same result as apply() on each
// batch, but faster: puts are gathered per collection and handed over in
// one Collection::put_all, so the hash set is sized once and the indexes of
// a freshly loaded collection are built in bulk. Any other mutation first
// hands over what was gathered, so the order of effects is kept.
#pragma once

#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "util/hash.h"
#include "write/write_batch.h"

namespace kiln {

class LoadApplier {
 public:
  explicit LoadApplier(Store& store) : store_(store) {}

  void add(const std::vector<Mutation>& mutations);
  // Applies everything still gathered; the Store is complete afterwards.
  void finish();

 private:
  Store& store_;
  absl::flat_hash_map<std::string, std::vector<DocRef>, StringHash, StringEq> pending_;
};

}  // namespace kiln
