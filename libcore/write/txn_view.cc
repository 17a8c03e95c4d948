#include "write/txn_view.h"

namespace kiln {

DocRef TxnView::find(std::string_view collection, std::string_view key) const {
  auto p = pending_.find(collection);
  if (p != pending_.end()) {
    auto d = p->second.docs.find(key);
    if (d != p->second.docs.end()) return d->second;
    if (p->second.dropped) return DocRef();
  }
  const Collection* c = base_.find(collection);
  return c ? c->find(key) : DocRef();
}

void TxnView::put(std::string_view collection, DocRef record) {
  std::string key(record->key());
  pending_[collection].docs[key] = record;
  batch_.mutations.push_back({Mutation::Kind::kPut, std::string(collection), {}, std::move(record), {}});
}

bool TxnView::erase(std::string_view collection, std::string_view key) {
  if (!contains(collection, key)) return false;
  pending_[collection].docs[key] = DocRef();
  batch_.mutations.push_back({Mutation::Kind::kDelete, std::string(collection), std::string(key), {}, {}});
  return true;
}

void TxnView::drop(std::string_view collection) {
  Pending& p = pending_[collection];
  p.dropped = true;
  p.docs.clear();
  batch_.mutations.push_back({Mutation::Kind::kDrop, std::string(collection), {}, {}, {}});
}

}  // namespace kiln
