// DocRecord: one stored document — its key and its encoded value — in a
// single immutable, reference-counted allocation. Writers replace records,
// never modify them, so a reader (or a snapshot) holding a DocRef keeps a
// consistent document while writes go on.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>
#include <utility>

#include "doc/value.h"

namespace kiln {

class DocRecord {
 public:
  static DocRecord* create(std::string_view key, std::string_view encoded_value);

  std::string_view key() const { return {chars(), key_len_}; }
  std::string_view bytes() const { return {chars() + key_len_, value_len_}; }
  doc::Value value() const { return doc::Value(bytes()); }
  size_t allocated_size() const { return sizeof(DocRecord) + key_len_ + value_len_; }

  void ref() const { refs_.fetch_add(1, std::memory_order_relaxed); }
  void unref() const;

 private:
  DocRecord(uint32_t key_len, uint32_t value_len) : key_len_(key_len), value_len_(value_len) {}
  const char* chars() const { return reinterpret_cast<const char*>(this + 1); }

  mutable std::atomic<uint32_t> refs_{1};
  uint32_t key_len_;
  uint32_t value_len_;
};

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
