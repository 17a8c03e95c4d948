#include "query/projection.h"

#include <algorithm>

#include "doc/builder.h"
#include "doc/json_sink.h"
#include "doc/json_writer.h"
#include "doc/path.h"
#include "query/path.h"

namespace kiln::query {
namespace {

doc::Value find_hinted(doc::Value object, std::string_view key, const PathTree& node) {
  uint32_t hint = node.hint.at.load(std::memory_order_relaxed), seen = hint;
  doc::Value v = object.find(key, &hint);
  if (hint != seen) node.hint.at.store(hint, std::memory_order_relaxed);
  return v;
}

// Writes object members with commas; `rollback` undoes a member whose
// value turned out empty.
class ObjectWriter {
 public:
  explicit ObjectWriter(doc::JsonSink& sink) : sink_(sink) { sink_.put('{'); }
  void member(std::string_view key) { doc::put_json_member(sink_, first_, key); }
  struct Mark {
    size_t size;
    bool first;
  };
  Mark mark() const { return {sink_.size(), first_}; }
  void rollback(Mark m) {
    sink_.rollback(m.size);
    first_ = m.first;
  }
  bool empty() const { return first_; }
  void close() { sink_.put('}'); }

 private:
  doc::JsonSink& sink_;
  bool first_ = true;
};

// Writes `object` keeping only the paths in `tree`; returns whether any
// member was written (the caller drops an empty nested result).
bool write_fields(doc::Value object, const PathTree& tree, doc::JsonSink& out) {
  ObjectWriter w(out);
  for (const auto& [key, sub] : tree.kids) {
    doc::Value v = find_hinted(object, key, sub);
    if (!v.valid()) continue;
    if (sub.whole) {
      w.member(key);
      doc::put_json_value(out, v);
    } else if (v.is_object()) {
      auto m = w.mark();
      w.member(key);
      if (!write_fields(v, sub, out)) w.rollback(m);
    }
  }
  bool any = !w.empty();
  w.close();
  return any;
}

// Writes `object` without the paths in `tree`; returns whether any member
// was written.
bool write_excluded(doc::Value object, const PathTree& tree, doc::JsonSink& out) {
  ObjectWriter w(out);
  size_t n = object.count();
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = object.key_at(i);
    doc::Value v = object.value_at(i);
    auto it = tree.kids.find(key);
    if (it == tree.kids.end()) {
      w.member(key);
      doc::put_json_value(out, v);
    } else if (it->second.whole) {
      continue;
    } else if (v.is_object()) {
      auto m = w.mark();
      w.member(key);
      if (!write_excluded(v, it->second, out)) w.rollback(m);  // emptied parent goes too
    } else {
      w.member(key);
      doc::put_json_value(out, v);
    }
  }
  bool any = !w.empty();
  w.close();
  return any;
}

struct Extra {
  std::string_view key;
  enum class Kind { kValue, kString, kSkip } kind;
  doc::Value value;
  std::string_view text;
};

// A few members (usually _v and _key) without a heap allocation.
class Extras {
 public:
  void set(Extra e) {
    for (size_t i = 0; i < size(); ++i) {
      if ((*this)[i].key == e.key) {
        (*this)[i] = e;
        return;
      }
    }
    if (n_ < kInline) {
      inline_[n_++] = e;
    } else {
      more_.push_back(e);
    }
  }
  size_t size() const { return n_ + more_.size(); }
  Extra& operator[](size_t i) { return i < kInline ? inline_[i] : more_[i - kInline]; }
  void sort() {
    if (more_.empty()) {  // insertion sort: at most kInline members
      for (size_t i = 1; i < n_; ++i) {
        for (size_t j = i; j > 0 && inline_[j].key < inline_[j - 1].key; --j) std::swap(inline_[j], inline_[j - 1]);
      }
      return;
    }
    std::vector<Extra> all(inline_, inline_ + n_);
    all.insert(all.end(), more_.begin(), more_.end());
    std::sort(all.begin(), all.end(), [](const Extra& a, const Extra& b) { return a.key < b.key; });
    for (size_t i = 0; i < kInline; ++i) inline_[i] = all[i];
    more_.assign(all.begin() + kInline, all.end());
  }

 private:
  static constexpr size_t kInline = 4;
  Extra inline_[kInline];
  size_t n_ = 0;
  std::vector<Extra> more_;
};

void encode_fields(doc::Value object, const PathTree& tree, std::string& out, bool* any) {
  std::vector<doc::Field> fields;
  std::vector<std::string> nested;
  nested.reserve(tree.kids.size());
  for (const auto& [key, sub] : tree.kids) {
    doc::Value v = object.find(key);
    if (!v.valid()) continue;
    if (sub.whole) {
      fields.push_back({key, v.bytes()});
    } else if (v.is_object()) {
      std::string child;
      bool child_any = false;
      encode_fields(v, sub, child, &child_any);
      if (!child_any) continue;
      nested.push_back(std::move(child));
      fields.push_back({key, nested.back()});
    }
  }
  *any = !fields.empty();
  doc::put_object(out, fields);
}

}  // namespace

void PathTree::add(std::string_view path) {
  PathTree* node = this;
  for (std::string_view part : doc::split_path(path)) {
    if (node->whole) return;  // an ancestor is already kept (or removed) whole
    auto it = node->kids.find(part);
    if (it == node->kids.end()) it = node->kids.emplace(std::string(part), PathTree{}).first;
    node = &it->second;
  }
  node->whole = true;
  node->kids.clear();
}

Projection Projection::parse(simdjson::simdjson_result<simdjson::dom::element> fields,
                             simdjson::simdjson_result<simdjson::dom::element> excluded) {
  Projection p;
  simdjson::dom::array list;
  if (fields.get_array().get(list) == simdjson::SUCCESS) {
    p.mode = Mode::kFields;
  } else if (excluded.get_array().get(list) == simdjson::SUCCESS) {
    p.mode = Mode::kExclude;
  } else {
    return p;
  }
  for (simdjson::dom::element e : list) {
    std::string_view path;
    if (e.get_string().get(path) == simdjson::SUCCESS) p.tree.add(path);
  }
  return p;
}

void write_shaped(doc::Value document, std::string_view key, bool with_key, const Projection& projection,
                  const std::vector<Embed>& embeds, std::string& out) {
  using Mode = Projection::Mode;
  if (!document.is_object()) {
    // rc2: a stored non-object stays bare, except under `fields`, where the
    // shaped result is a new object holding only _key.
    if (projection.mode != Mode::kFields) {
      doc::write_json(document, out);
    } else if (with_key) {
      out.append("{\"_key\":");
      doc::write_json_string(key, out);
      out.push_back('}');
    } else {
      out.append("{}");
    }
    return;
  }
  if (projection.mode == Mode::kNone && embeds.empty()) {
    if (with_key) {
      doc::write_json_with_key(document, key, out);
      return;
    }
    if (!document.find("_key").valid()) {
      doc::write_json(document, out);
      return;
    }
  }

  // Members added after projection, in the order rc2 applies them.
  Extras extras;
  uint32_t v_hint = 0;  // "_v" sorts before every lowercase key: usually first
  if (doc::Value v = document.find("_v", &v_hint); v.valid()) extras.set({"_v", Extra::Kind::kValue, v, {}});
  extras.set(with_key ? Extra{"_key", Extra::Kind::kString, {}, key} : Extra{"_key", Extra::Kind::kSkip, {}, {}});
  for (const Embed& e : embeds) extras.set({e.first, Extra::Kind::kValue, e.second, {}});
  extras.sort();

  doc::JsonSink sink(out, key.size() + 64);
  ObjectWriter w(sink);
  auto write_extra = [&](const Extra& e) {
    if (e.kind == Extra::Kind::kSkip) return;
    w.member(e.key);
    if (e.kind == Extra::Kind::kString) {
      doc::put_json_string(sink, e.text);
    } else {
      doc::put_json_value(sink, e.value);
    }
  };
  size_t x = 0;
  if (projection.mode == Mode::kFields) {
    // Walk the requested paths (few) rather than the document's fields.
    for (const auto& [k, sub] : projection.tree.kids) {
      while (x < extras.size() && extras[x].key < k) write_extra(extras[x++]);
      if (x < extras.size() && extras[x].key == k) {
        write_extra(extras[x++]);
        continue;
      }
      doc::Value v = find_hinted(document, k, sub);
      if (!v.valid()) continue;
      if (sub.whole) {
        w.member(k);
        doc::put_json_value(sink, v);
      } else if (v.is_object()) {
        auto m = w.mark();
        w.member(k);
        if (!write_fields(v, sub, sink)) w.rollback(m);
      }
    }
    while (x < extras.size()) write_extra(extras[x++]);
    w.close();
    return;
  }
  size_t n = document.count();
  for (size_t i = 0; i < n; ++i) {
    std::string_view k = document.key_at(i);
    while (x < extras.size() && extras[x].key < k) write_extra(extras[x++]);
    if (x < extras.size() && extras[x].key == k) {
      write_extra(extras[x++]);  // replaces the stored member
      continue;
    }
    doc::Value v = document.value_at(i);
    if (projection.mode == Mode::kNone) {
      w.member(k);
      doc::put_json_value(sink, v);
      continue;
    }
    auto it = projection.tree.kids.find(k);
    if (projection.mode == Mode::kFields) {
      if (it == projection.tree.kids.end()) continue;
      if (it->second.whole) {
        w.member(k);
        doc::put_json_value(sink, v);
      } else if (v.is_object()) {
        auto m = w.mark();
        w.member(k);
        if (!write_fields(v, it->second, sink)) w.rollback(m);
      }
    } else {  // exclude
      if (it == projection.tree.kids.end() || !v.is_object()) {
        if (it != projection.tree.kids.end() && it->second.whole) continue;
        w.member(k);
        doc::put_json_value(sink, v);
      } else if (!it->second.whole) {
        auto m = w.mark();
        w.member(k);
        if (!write_excluded(v, it->second, sink)) w.rollback(m);
      }
    }
  }
  while (x < extras.size()) write_extra(extras[x++]);
  w.close();
}

std::string project_encoded(doc::Value document, const PathTree& fields) {
  std::string out;
  if (!document.is_object()) {
    std::vector<doc::Field> none;
    doc::put_object(out, none);
    return out;
  }
  bool any = false;
  encode_fields(document, fields, out, &any);
  return out;
}

}  // namespace kiln::query
