#include "doc/encoder.h"

#include <algorithm>
#include <deque>
#include <vector>

#include "doc/json_parser.h"
#include "doc/key_order.h"

namespace kiln::doc {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Reusable per-thread buffers, one set per nesting level, so encoding a
// document allocates nothing once the thread has warmed up.
class Encoder {
 public:
  // Forgets the depth measured so far (before each top-level value).
  void start() { deepest_ = 0; }
  size_t deepest() const { return deepest_; }

  void value(element e, std::string& out) {
    switch (e.type()) {
      case element_type::NULL_VALUE: put_null(out); break;
      case element_type::BOOL: put_bool(out, e.get_bool().value_unsafe()); break;
      case element_type::INT64: put_int(out, e.get_int64().value_unsafe()); break;
      case element_type::UINT64: put_uint(out, e.get_uint64().value_unsafe()); break;
      case element_type::DOUBLE: put_double(out, e.get_double().value_unsafe()); break;
      case element_type::STRING: put_string(out, e.get_string().value_unsafe()); break;
      case element_type::ARRAY: array(as_array(e), out); break;
      case element_type::OBJECT: object(as_object(e), {}, {}, out); break;
    }
  }

  void object(simdjson::dom::object o, std::span<const Field> extra, std::span<const std::string_view> drop,
              std::string& out) {
    Level& level = enter();
    // Children are encoded into the level's buffer first (their sizes decide
    // the offset table); then they are laid out in key order, which the
    // level's cache usually knows from the previous object at this depth.
    for (simdjson::dom::key_value_pair field : o) {
      if (!drop.empty() && std::find(drop.begin(), drop.end(), field.key) != drop.end()) continue;
      size_t begin = level.buf.size();
      value(field.value, level.buf);
      level.spans.push_back({field.key, begin, level.buf.size()});
    }
    // Children sit one level below their container (dropped ones are the
    // caller's to measure).
    if (!level.spans.empty()) deepest_ = std::max(deepest_, depth_);
    for (const Span& s : level.spans) {
      level.fields.push_back({s.key, std::string_view(level.buf).substr(s.begin, s.end - s.begin)});
    }
    level.fields.insert(level.fields.end(), extra.begin(), extra.end());
    put_object_ordered(out, level.fields, level.key_order.order(level.fields));
    leave();
  }

 private:
  struct Span {
    std::string_view key;
    size_t begin, end;
  };
  struct Level {
    std::string buf;
    std::vector<Span> spans;
    std::vector<Field> fields;
    KeyOrderCache key_order;
  };

  Level& enter() {
    if (depth_ == levels_.size()) levels_.emplace_back();
    Level& level = levels_[depth_++];
    level.buf.clear();
    level.spans.clear();
    level.fields.clear();
    return level;
  }
  void leave() { --depth_; }

  void array(simdjson::dom::array a, std::string& out) {
    Level& level = enter();
    size_t count = 0;
    for (element child : a) {
      value(child, level.buf);
      ++count;
    }
    if (count > 0) deepest_ = std::max(deepest_, depth_);
    put_array(out, count, level.buf);
    leave();
  }

  std::deque<Level> levels_;  // deque: references stay valid as it grows
  size_t depth_ = 0;
  size_t deepest_ = 0;  // the deepest value seen since start()
};

// Not inlined: otherwise GCC specializes the Encoder's methods for this
// thread_local object and recomputes its address (a __tls_get_addr call in
// a shared library) at every member access.
[[gnu::noipa]] Encoder& thread_encoder() {
  thread_local Encoder encoder;
  return encoder;
}

}  // namespace

size_t encode(element e, std::string& out) {
  Encoder& encoder = thread_encoder();
  encoder.start();
  encoder.value(e, out);
  return encoder.deepest();
}

size_t encode_object_with(simdjson::dom::object object, std::span<const Field> extra,
                          std::span<const std::string_view> drop, std::string& out) {
  Encoder& encoder = thread_encoder();
  encoder.start();
  encoder.object(object, extra, drop, out);
  return encoder.deepest();
}

}  // namespace kiln::doc
