// JsonSink: the JSON writers' output buffer, for writers elsewhere (query
// projection) that emit JSON piece by piece into the same std::string. While
// a JsonSink is alive only it may append to the string.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

#include "doc/timestamp.h"
#include "doc/value.h"

namespace kiln::doc {

// Appends to a std::string through raw pointers: the string is grown ahead
// (amortized doubling) and trimmed once at the end, so the per-byte cost is a
// store, not push_back's capacity and SSO checks.
class JsonSink {
 public:
  // hint: the expected output size, allocated (and zeroed) once up front.
  JsonSink(std::string& out, size_t hint) : out_(out) {
    size_t pos = out.size();
    out_.resize(pos + hint);
    cur_ = out_.data() + pos;
    end_ = out_.data() + out_.size();
  }
  ~JsonSink() { out_.resize(static_cast<size_t>(cur_ - out_.data())); }
  JsonSink(const JsonSink&) = delete;
  JsonSink& operator=(const JsonSink&) = delete;

  // At least n writable bytes at the returned pointer.
  char* room(size_t n) {
    if (static_cast<size_t>(end_ - cur_) < n) grow(n);
    return cur_;
  }
  void advance(size_t n) { cur_ += n; }
  // The caller wrote up to `end` (inside the last room()).
  void commit(char* end) { cur_ = end; }
  // Bytes of `out` so far, and a return to an earlier such size.
  size_t size() const { return static_cast<size_t>(cur_ - out_.data()); }
  void rollback(size_t size) { cur_ = out_.data() + size; }
  void put(char c) {
    *room(1) = c;
    ++cur_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    cur_ += s.size();
  }

  // The last stamp (format.h) the writer formatted, and its text: the
  // createdAt and modifiedAt of a document are mostly the same instant.
  struct StampMemo {
    uint64_t code = 0;
    size_t len = 0;  // 0: nothing remembered yet
    char text[kStampMillisLen] = {};
  };
  StampMemo& stamp_memo() { return stamp_memo_; }

 private:
  [[gnu::noinline]] void grow(size_t n) {
    // Capacity doubles; the size grows only a little past what is needed,
    // since resize() zero-fills and ~Sink trims back: doubling the size
    // made a call on a large buffer cost the buffer's length.
    size_t pos = static_cast<size_t>(cur_ - out_.data());
    size_t want = pos + n + 256;
    if (want > out_.capacity()) out_.reserve(std::max(out_.capacity() * 2, want));
    out_.resize(want);
    cur_ = out_.data() + pos;
    end_ = out_.data() + out_.size();
  }

  std::string& out_;
  char* cur_;
  char* end_;
  StampMemo stamp_memo_;
};

// A quoted, escaped string.
void put_json_string(JsonSink& sink, std::string_view s);
// `"key":`, preceded by a comma unless `first` (then cleared).
void put_json_member(JsonSink& sink, bool& first, std::string_view key);
// The JSON of an encoded value (as write_json).
void put_json_value(JsonSink& sink, Value v);

}  // namespace kiln::doc
