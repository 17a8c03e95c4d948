#include "write/txn_view.h"

#include "doc/json_writer.h"
#include "schema/schema.h"
#include "util/error.h"

namespace kiln {

void TxnView::catch_up() const {
  const std::vector<Mutation>& m = batch_.mutations;
  for (; caught_up_ < m.size(); ++caught_up_) {
    if (m[caught_up_].kind != Mutation::Kind::kPut) continue;  // erase and drop edit docs themselves
    const DocRef& record = m[caught_up_].record;
    pending_[m[caught_up_].collection].docs[record->key()] = record;
  }
}

DocRef TxnView::find(std::string_view collection, std::string_view key) const {
  catch_up();
  return find_in(collection, key, base_collection(collection));
}

DocRef TxnView::find_in(std::string_view collection, std::string_view key, const Collection* base) const {
  auto p = pending_.find(collection);
  if (p != pending_.end()) {
    auto d = p->second.docs.find(key);
    if (d != p->second.docs.end()) return d->second;
    if (p->second.dropped) return DocRef();
  }
  return base ? base->find(key) : DocRef();
}

DocRef TxnReader::find(std::string_view collection, std::string_view key) const {
  return view_->find_in(collection, key, base_.find(view_->base_, collection));
}

void TxnView::check_unique(std::string_view collection, const Collection* c, const DocRecord& record, Pending& p) {
  if (!c) return;
  for (const auto& index : c->indexes()) {
    if (!index->def().unique) continue;
    UniquePending& u = p.unique[index->def().field];
    std::string key(record.key());
    if (auto old = u.value_by_key.find(key); old != u.value_by_key.end()) {
      auto k = u.key_by_value.find(old->second);
      if (k != u.key_by_value.end() && k->second == key) u.key_by_value.erase(k);
      u.value_by_key.erase(old);
    }
    // Missing and null values are not constrained (as SQL treats NULL).
    doc::Value v = index->path().lookup(record.value());
    if (!v.valid() || v.is_null()) continue;
    std::string value = Index::hash_key(v);
    auto conflict = [&](std::string_view other) {
      throw Error(Code::kConflict, "Conflict: Duplicate value " + doc::to_json(v) + " for unique index '" +
                                       index->def().field + "' (already used by '" + std::string(other) + "')");
    };
    if (auto k = u.key_by_value.find(value); k != u.key_by_value.end() && k->second != key) conflict(k->second);
    if (const RecordSet* holders = index->find(value)) {
      for (const DocRecord* holder : *holders) {
        if (holder->key() == key) continue;
        DocRef current = find(collection, holder->key());  // it may have changed in this request
        if (!current) continue;
        doc::Value cv = index->path().lookup(current->value());
        if (cv.valid() && !cv.is_null() && Index::hash_key(cv) == value) conflict(holder->key());
      }
    }
    u.key_by_value[value] = key;
    u.value_by_key[key] = std::move(value);
  }
}

void TxnView::put(std::string_view collection, DocRef record, std::optional<uint64_t> new_v) {
  // One lookup of each map per document (this is the insert hot path); an
  // entry left in pending_ by a failing check is harmless: the request fails.
  Pending& p = pending_[collection];
  const Collection* base = base_collection(collection);
  const Schema* schema = p.schema_set ? p.schema.get() : base ? base->schema().get() : nullptr;
  if (schema) schema->validate(record->value());
  check_unique(collection, base, *record, p);
  batch_.mutations.push_back({Mutation::Kind::kPut, std::string(collection), {}, std::move(record), {}, new_v});
}

bool TxnView::erase(std::string_view collection, std::string_view key) {
  if (!contains(collection, key)) return false;  // (caught up by find)
  Pending& p = pending_[collection];
  for (auto& [field, u] : p.unique) {
    auto old = u.value_by_key.find(key);
    if (old == u.value_by_key.end()) continue;
    auto k = u.key_by_value.find(old->second);
    if (k != u.key_by_value.end() && k->second == key) u.key_by_value.erase(k);
    u.value_by_key.erase(old);
  }
  p.docs[key] = DocRef();
  batch_.mutations.push_back({Mutation::Kind::kDelete, std::string(collection), std::string(key), {}, {}, {}});
  caught_up_ = batch_.mutations.size();
  return true;
}

void TxnView::drop(std::string_view collection) {
  catch_up();
  Pending& p = pending_[collection];
  p.dropped = true;
  p.docs.clear();
  p.unique.clear();
  batch_.mutations.push_back({Mutation::Kind::kDrop, std::string(collection), {}, {}, {}, {}});
  caught_up_ = batch_.mutations.size();
}

void TxnView::define(Mutation m, std::shared_ptr<const Schema> schema) {
  if (m.kind == Mutation::Kind::kSetSchema) {
    Pending& p = pending_[m.collection];
    p.schema_set = true;
    p.schema = std::move(schema);
  }
  batch_.mutations.push_back(std::move(m));
}

}  // namespace kiln
