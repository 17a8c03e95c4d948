#include "store/store.h"

#include <algorithm>

#include "schema/schema.h"
#include "write/write_batch.h"

namespace kiln {

const Collection* Store::find(std::string_view name) const {
  auto it = collections_.find(name);
  return it == collections_.end() ? nullptr : it->second.get();
}

Collection* Store::find(std::string_view name) {
  auto it = collections_.find(name);
  return it == collections_.end() ? nullptr : it->second.get();
}

Collection& Store::get_or_create(std::string_view name) {
  auto& slot = collections_[name];
  if (!slot) slot = std::make_unique<Collection>();
  return *slot;
}

bool Store::drop(std::string_view name) {
  auto it = collections_.find(name);
  if (it == collections_.end()) return false;
  if (it->second->has_definitions()) {
    it->second->clear();  // a drop removes the documents; indexes and schema stay
  } else {
    collections_.erase(it);
  }
  return true;
}

std::vector<std::string> Store::names() const {
  std::vector<std::string> out;
  for (const auto& [name, coll] : collections_) out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

uint64_t Store::bytes_in_ram() const {
  uint64_t total = 0;
  for (const auto& [name, coll] : collections_) total += coll->bytes_in_ram();
  return total;
}

}  // namespace kiln

namespace kiln {

std::vector<Mutation> Store::definitions() const {
  std::vector<Mutation> out;
  for (const std::string& name : names()) {
    const Collection* c = find(name);
    for (const auto& index : c->indexes()) {
      out.push_back({Mutation::Kind::kCreateIndex, name, {}, {}, index->def().to_json(), {}});
    }
    if (c->schema()) out.push_back({Mutation::Kind::kSetSchema, name, {}, {}, c->schema()->json(), {}});
  }
  return out;
}

}  // namespace kiln
