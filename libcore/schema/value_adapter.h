// A valijson adapter over doc::Value, so schemas are parsed from and
// documents validated on the binary encoding directly (no JSON DOM).
// Follows the shape of valijson's bundled adapters (BasicAdapter + array,
// object, value and frozen-value classes).
#pragma once

// Errors in schemas must reach us as exceptions, never abort().
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <cstdint>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>

#include "doc/value.h"

namespace kiln::schema {

class DocAdapter;
class DocArrayIterator;
class DocObjectIterator;
using DocObjectMember = std::pair<std::string, DocAdapter>;

class DocArray {
 public:
  using const_iterator = DocArrayIterator;
  using iterator = DocArrayIterator;
  DocArray() = default;
  explicit DocArray(doc::Value v) : v_(v) {}
  DocArrayIterator begin() const;
  DocArrayIterator end() const;
  size_t size() const { return v_.valid() ? v_.count() : 0; }

 private:
  doc::Value v_;
};

class DocObject {
 public:
  using const_iterator = DocObjectIterator;
  using iterator = DocObjectIterator;
  DocObject() = default;
  explicit DocObject(doc::Value v) : v_(v) {}
  DocObjectIterator begin() const;
  DocObjectIterator end() const;
  DocObjectIterator find(const std::string& name) const;
  size_t size() const { return v_.valid() ? v_.count() : 0; }

 private:
  doc::Value v_;
};

class DocFrozenValue : public valijson::adapters::FrozenValue {
 public:
  explicit DocFrozenValue(doc::Value v) : bytes_(v.bytes()) {}
  FrozenValue* clone() const override { return new DocFrozenValue(doc::Value(bytes_)); }
  bool equalTo(const valijson::adapters::Adapter& other, bool strict) const override;

 private:
  std::string bytes_;
};

class DocValue {
 public:
  DocValue() = default;
  explicit DocValue(doc::Value v) : v_(v) {}

  valijson::adapters::FrozenValue* freeze() const { return new DocFrozenValue(v_); }

  std::optional<DocArray> getArrayOptional() const {
    if (isArray()) return std::make_optional(DocArray(v_));
    return {};
  }
  bool getArraySize(size_t& result) const {
    if (!isArray()) return false;
    result = v_.count();
    return true;
  }
  bool getBool(bool& result) const {
    if (!isBool()) return false;
    result = v_.as_bool();
    return true;
  }
  bool getDouble(double& result) const {
    if (!isDouble()) return false;
    result = v_.as_double();
    return true;
  }
  bool getInteger(int64_t& result) const {
    if (!isInteger()) return false;
    result = v_.as_int();
    return true;
  }
  std::optional<DocObject> getObjectOptional() const {
    if (isObject()) return std::make_optional(DocObject(v_));
    return {};
  }
  bool getObjectSize(size_t& result) const {
    if (!isObject()) return false;
    result = v_.count();
    return true;
  }
  bool getString(std::string& result) const {
    if (!isString()) return false;
    doc::TextBuf buf;
    result = std::string(v_.as_string(buf));
    return true;
  }
  static bool hasStrictTypes() { return true; }
  bool isArray() const { return v_.valid() && v_.is_array(); }
  bool isBool() const { return v_.valid() && v_.is_bool(); }
  // Integers above INT64_MAX are handled as doubles.
  bool isDouble() const { return v_.valid() && (v_.is_float() || v_.tag() == doc::kUint); }
  bool isInteger() const { return v_.valid() && v_.tag() == doc::kInt; }
  bool isNull() const { return v_.valid() && v_.is_null(); }
  bool isNumber() const { return v_.valid() && v_.is_number(); }
  bool isObject() const { return v_.valid() && v_.is_object(); }
  bool isString() const { return v_.valid() && v_.is_string(); }

 private:
  doc::Value v_;
};

class DocAdapter
    : public valijson::adapters::BasicAdapter<DocAdapter, DocArray, DocObjectMember, DocObject, DocValue> {
 public:
  DocAdapter() : BasicAdapter() {}
  explicit DocAdapter(doc::Value v) : BasicAdapter(DocValue(v)) {}
};

class DocArrayIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = DocAdapter;
  using difference_type = DocAdapter;
  using pointer = DocAdapter*;
  using reference = DocAdapter&;

  DocArrayIterator(doc::Value array, size_t index) : array_(array), index_(index) { seek(); }

  DocAdapter operator*() const { return DocAdapter(current_); }
  valijson::adapters::DerefProxy<DocAdapter> operator->() const {
    return valijson::adapters::DerefProxy<DocAdapter>(**this);
  }
  bool operator==(const DocArrayIterator& o) const { return index_ == o.index_; }
  bool operator!=(const DocArrayIterator& o) const { return index_ != o.index_; }
  const DocArrayIterator& operator++() {
    ++index_;
    current_ = index_ < count() ? current_.next() : doc::Value();
    return *this;
  }
  DocArrayIterator operator++(int) {
    DocArrayIterator pre = *this;
    ++(*this);
    return pre;
  }
  const DocArrayIterator& operator--() {
    --index_;
    seek();
    return *this;
  }
  void advance(std::ptrdiff_t n) {
    index_ = static_cast<size_t>(static_cast<std::ptrdiff_t>(index_) + n);
    seek();
  }

 private:
  size_t count() const { return array_.valid() ? array_.count() : 0; }
  void seek() {
    current_ = doc::Value();
    if (index_ >= count()) return;
    current_ = array_.first_element();
    for (size_t i = 0; i < index_; ++i) current_ = current_.next();
  }

  doc::Value array_;
  size_t index_;
  doc::Value current_;
};

class DocObjectIterator {
 public:
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = DocObjectMember;
  using difference_type = DocObjectMember;
  using pointer = DocObjectMember*;
  using reference = DocObjectMember&;

  DocObjectIterator(doc::Value object, size_t index) : object_(object), index_(index) {}

  DocObjectMember operator*() const {
    return DocObjectMember(std::string(object_.key_at(index_)), DocAdapter(object_.value_at(index_)));
  }
  valijson::adapters::DerefProxy<DocObjectMember> operator->() const {
    return valijson::adapters::DerefProxy<DocObjectMember>(**this);
  }
  bool operator==(const DocObjectIterator& o) const { return index_ == o.index_; }
  bool operator!=(const DocObjectIterator& o) const { return index_ != o.index_; }
  const DocObjectIterator& operator++() {
    ++index_;
    return *this;
  }
  DocObjectIterator operator++(int) {
    DocObjectIterator pre = *this;
    ++index_;
    return pre;
  }
  const DocObjectIterator& operator--() {
    --index_;
    return *this;
  }

 private:
  doc::Value object_;
  size_t index_;
};

inline DocArrayIterator DocArray::begin() const { return DocArrayIterator(v_, 0); }
inline DocArrayIterator DocArray::end() const { return DocArrayIterator(v_, size()); }
inline DocObjectIterator DocObject::begin() const { return DocObjectIterator(v_, 0); }
inline DocObjectIterator DocObject::end() const { return DocObjectIterator(v_, size()); }
inline DocObjectIterator DocObject::find(const std::string& name) const {
  if (!v_.valid()) return end();
  size_t n = v_.count();
  for (size_t i = 0; i < n; ++i) {  // keys are sorted; a linear scan keeps this simple and exact
    if (v_.key_at(i) == name) return DocObjectIterator(v_, i);
  }
  return end();
}

inline bool DocFrozenValue::equalTo(const valijson::adapters::Adapter& other, bool strict) const {
  return DocAdapter(doc::Value(bytes_)).equalTo(other, strict);
}

}  // namespace kiln::schema

template <>
struct valijson::adapters::AdapterTraits<kiln::schema::DocAdapter> {
  using DocumentType = kiln::doc::Value;
  static std::string adapterName() { return "KilnDocAdapter"; }
};
