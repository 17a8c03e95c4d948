// TxnView: the database as a write request sees it while it is planned —
// the committed Store plus the request's own pending mutations on top — so
// later items of a request (or of a batch) see earlier ones, and nothing
// touches the Store until the whole WriteBatch is known to be valid.
//
// put() enforces the collection's rules while planning, so a failing item
// fails the whole request: its JSON Schema (INVALID_ARGUMENT) and its unique
// indexes (CONFLICT), both against base + pending documents.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "store/store.h"
#include "util/hash.h"
#include "write/write_batch.h"

namespace kiln {

class Schema;
class TxnView;

// The last collection looked up in a Store and what it resolved to: a
// request's items usually share one collection, and the Store does not
// change while a request is planned (it is applied after).
class BaseCache {
 public:
  const Collection* find(const Store& base, std::string_view collection) {
    if (!name_ || *name_ != collection) {
      base_ = base.find(collection);
      name_ = std::string(collection);
    }
    return base_;
  }

 private:
  std::optional<std::string> name_;
  const Collection* base_ = nullptr;
};

// Lookups in a TxnView from several threads at once, as when the items of a
// large request are planned in parallel: TxnView::find is for one thread (it
// updates the view's lookup map and cache). Made by TxnView::reader(); each
// thread uses its own copy, while the view is not changed.
class TxnReader {
 public:
  DocRef find(std::string_view collection, std::string_view key) const;

 private:
  friend class TxnView;
  explicit TxnReader(const TxnView& view) : view_(&view) {}

  const TxnView* view_;
  mutable BaseCache base_;
};

class TxnView {
 public:
  TxnView(const Store& base, int64_t now_ms) : base_(base) { batch_.timestamp_ms = now_ms; }

  DocRef find(std::string_view collection, std::string_view key) const;
  bool contains(std::string_view collection, std::string_view key) const { return bool(find(collection, key)); }
  // For lookups from other threads (see TxnReader); enters the pending puts
  // into the lookup map first.
  TxnReader reader() const {
    catch_up();
    return TxnReader(*this);
  }

  // `new_v`: the record's stored _v (meta::stored_version), if known.
  void put(std::string_view collection, DocRef record, std::optional<uint64_t> new_v = std::nullopt);
  // Records a delete only if the document exists; returns whether it did.
  bool erase(std::string_view collection, std::string_view key);
  void drop(std::string_view collection);
  // Room for `n` more mutations (a request that knows its size).
  // Grows geometrically, so that many small requests of one batch stay linear.
  void reserve(size_t n) {
    auto& m = batch_.mutations;
    if (m.size() + n > m.capacity()) m.reserve(std::max(m.size() + n, 2 * m.capacity()));
  }

  // Index / schema definition changes (kCreateIndex, kDropIndex, kSetSchema).
  // A schema set here applies to later puts of this request.
  void define(Mutation m, std::shared_ptr<const Schema> schema = nullptr);

  // Whether this request changed documents of `collection` so far.
  bool has_pending(std::string_view collection) const { return pending_.contains(collection); }
  // Every document of `collection` as this request sees it, in no order.
  template <typename Fn>
  void for_each(std::string_view collection, Fn&& fn) const;

  const Store& base() const { return base_; }
  WriteBatch take_batch() { return std::move(batch_); }

 private:
  // A unique index's values among this request's pending documents.
  struct UniquePending {
    absl::flat_hash_map<std::string, std::string, StringHash, StringEq> key_by_value;
    absl::flat_hash_map<std::string, std::string, StringHash, StringEq> value_by_key;
  };
  struct Pending {
    bool dropped = false;                              // base collection hidden
    // empty DocRef = deleted; puts enter it lazily (see catch_up)
    absl::flat_hash_map<std::string, DocRef, StringHash, StringEq> docs;
    absl::flat_hash_map<std::string, UniquePending> unique;  // by index field
    bool schema_set = false;
    std::shared_ptr<const Schema> schema;
  };

  friend class TxnReader;

  // base_.find(collection), remembering the last answer (see BaseCache).
  const Collection* base_collection(std::string_view collection) const { return base_cache_.find(base_, collection); }
  // find() once caught up, given the collection's base (only reads the view).
  DocRef find_in(std::string_view collection, std::string_view key, const Collection* base) const;

  // Enters the puts recorded since the last call into their Pending::docs.
  // A put only appends its mutation: most requests (a set of many
  // documents) never look their own documents up again, so they never pay
  // for the map. Everything that reads or edits Pending::docs calls this first.
  void catch_up() const;

  // `base` is the committed collection (nullptr if none).
  void check_unique(std::string_view collection, const Collection* base, const DocRecord& record, Pending& p);

  const Store& base_;
  mutable BaseCache base_cache_;  // of base_collection()
  mutable absl::flat_hash_map<std::string, Pending, StringHash, StringEq> pending_;
  WriteBatch batch_;
  mutable size_t caught_up_ = 0;  // batch_.mutations already entered into pending_
};

template <typename Fn>
void TxnView::for_each(std::string_view collection, Fn&& fn) const {
  catch_up();
  auto p = pending_.find(collection);
  const Collection* c = base_collection(collection);
  if (c && (p == pending_.end() || !p->second.dropped)) {
    for (size_t i = 0; i < c->size(); ++i) {
      const DocRecord* r = c->slot(i);
      if (p != pending_.end() && p->second.docs.contains(r->key())) continue;
      fn(r);
    }
  }
  if (p != pending_.end()) {
    for (const auto& [key, record] : p->second.docs) {
      if (record) fn(record.get());
    }
  }
}

}  // namespace kiln
