// TxnView: the database as a write request sees it while it is planned —
// the committed Store plus the request's own pending mutations on top — so
// later items of a request (or of a batch) see earlier ones, and nothing
// touches the Store until the whole WriteBatch is known to be valid.
#pragma once

#include <string>
#include <string_view>

#include <absl/container/flat_hash_map.h>

#include "store/store.h"
#include "util/hash.h"
#include "write/write_batch.h"

namespace kiln {

class TxnView {
 public:
  TxnView(const Store& base, int64_t now_ms) : base_(base) { batch_.timestamp_ms = now_ms; }

  DocRef find(std::string_view collection, std::string_view key) const;
  bool contains(std::string_view collection, std::string_view key) const { return bool(find(collection, key)); }

  void put(std::string_view collection, DocRef record);
  // Records a delete only if the document exists; returns whether it did.
  bool erase(std::string_view collection, std::string_view key);
  void drop(std::string_view collection);

  const Store& base() const { return base_; }
  WriteBatch take_batch() { return std::move(batch_); }

 private:
  struct Pending {
    bool dropped = false;                              // base collection hidden
    absl::flat_hash_map<std::string, DocRef, StringHash, StringEq> docs;  // empty DocRef = deleted
  };

  const Store& base_;
  absl::flat_hash_map<std::string, Pending, StringHash, StringEq> pending_;
  WriteBatch batch_;
};

}  // namespace kiln
