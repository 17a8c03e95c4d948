#include "write/load_applier.h"

#include "store/store.h"

namespace kiln {

void LoadApplier::add(const std::vector<Mutation>& mutations) {
  WriteBatch other;
  for (const Mutation& m : mutations) {
    if (m.kind == Mutation::Kind::kPut) {
      pending_[m.collection].push_back(m.record);
      continue;
    }
    finish();
    other.mutations.assign(1, m);
    apply(other, store_);
  }
}

void LoadApplier::finish() {
  for (auto& [name, records] : pending_) store_.get_or_create(name).put_all(std::move(records));
  pending_.clear();
}

}  // namespace kiln
