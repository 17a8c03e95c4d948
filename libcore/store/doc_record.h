// DocRecord: one stored document — its key and its encoded value — in a
// single immutable, reference-counted allocation. Writers replace records,
// never modify them, so a reader (or a snapshot) holding a DocRef keeps a
// consistent document while writes go on.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "doc/value.h"

namespace kiln {

class DocRecord {
 public:
  // Throws std::length_error for a key over 65535 bytes or a value over
  // 4 GiB (checked names are at most 256 bytes).
  static DocRecord* create(std::string_view key, std::string_view encoded_value);

  std::string_view key() const { return {chars() + kKeyLenBytes, key_len()}; }
  std::string_view bytes() const { return {chars() + kKeyLenBytes + key_len(), value_len_}; }
  doc::Value value() const { return doc::Value(bytes()); }
  size_t allocated_size() const { return sizeof(DocRecord) + kKeyLenBytes + key_len() + value_len_; }

  // Asks the CPU for every cache line of the record's first 256 bytes
  // (header, key and a typical document) at once. A record far from the
  // cache is otherwise read a line at a time as the key compare, then the
  // copy or decode, walk it; one request per line lets those misses
  // overlap. Harmless past the record's end: a prefetch never faults.
  static void prefetch(const DocRecord* r) {
    constexpr uintptr_t kLine = 64, kBytes = 256;
    uintptr_t first = reinterpret_cast<uintptr_t>(r) & ~(kLine - 1);
    uintptr_t last = reinterpret_cast<uintptr_t>(r) + kBytes - 1;
    for (uintptr_t line = first; line <= last; line += kLine) __builtin_prefetch(reinterpret_cast<const void*>(line));
  }

  void ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() const;

 private:
  friend class Collection;

  // The key's length is stored in front of the key, not in the header, so
  // the header stays 12 bytes with the slot number in it.
  static constexpr size_t kKeyLenBytes = 2;

  explicit DocRecord(uint32_t value_len) : value_len_(value_len) {}
  const char* chars() const { return reinterpret_cast<const char*>(this + 1); }
  size_t key_len() const {
    uint16_t n;
    std::memcpy(&n, chars(), sizeof n);
    return n;
  }

  mutable std::atomic<uint32_t> refs_{1};
  uint32_t value_len_;
  // Where the Collection holding the record keeps it in its dense vector,
  // so that a record found by key is erased or replaced in place. Only that
  // Collection reads or writes it, under its writer's lock; a record is in
  // at most one Collection.
  mutable uint32_t slot_ = 0;
};
static_assert(sizeof(DocRecord) == 12, "a record's header is part of every document's RAM cost");

// Owning pointer to a DocRecord (intrusive count: 8 bytes, no control block).
class DocRef {
 public:
  DocRef() = default;
  // Adopts a record fresh from DocRecord::create (count already 1).
  static DocRef adopt(DocRecord* r) {
    DocRef ref;
    ref.p_ = r;
    return ref;
  }
  // A new reference to a record some DocRef already owns.
  static DocRef share(const DocRecord* r) {
    r->ref();
    return adopt(const_cast<DocRecord*>(r));
  }
  static DocRef make(std::string_view key, std::string_view encoded_value) {
    return adopt(DocRecord::create(key, encoded_value));
  }
  DocRef(const DocRef& o) : p_(o.p_) {
    if (p_) p_->ref();
  }
  DocRef(DocRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  DocRef& operator=(DocRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~DocRef() {
    if (p_) p_->unref();
  }

  explicit operator bool() const { return p_ != nullptr; }
  const DocRecord* operator->() const { return p_; }
  const DocRecord& operator*() const { return *p_; }
  const DocRecord* get() const { return p_; }

 private:
  DocRecord* p_ = nullptr;
};

}  // namespace kiln
