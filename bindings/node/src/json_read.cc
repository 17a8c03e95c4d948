// json_read.cc — see json_read.h.
#include "json_read.h"

#include <napi.h>
#include <simdjson.h>

#include <dlfcn.h>

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kilnnode {

struct KeyCache::Impl {
  static constexpr size_t kMaxEntries = 4096;
  static constexpr size_t kMaxKeyLen = 64;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  using CreateKey = napi_status (*)(napi_env, const char*, size_t, napi_value*);

  napi_env env;
  // Node >= 20.12 / 21.7 export node_api_create_property_key_utf8 (still
  // "experimental" in N-API 8 headers): it makes an internalized string, so
  // V8 needs no hashing or lookup when the key is used. Looked up at run
  // time so the same binary still loads on Node versions without it.
  CreateKey create_key;
  std::unordered_map<std::string, napi_ref, Hash, std::equal_to<>> map;
};

KeyCache::KeyCache(napi_env env)
    : impl_(new Impl{env, reinterpret_cast<Impl::CreateKey>(dlsym(RTLD_DEFAULT, "node_api_create_property_key_utf8")),
                     {}}) {}

KeyCache::~KeyCache() {
  for (auto& [key, ref] : impl_->map) napi_delete_reference(impl_->env, ref);
}

napi_value KeyCache::Get(const char* key, size_t len) {
  napi_env env = impl_->env;
  napi_value v;
  std::string_view k(key, len);
  if (len <= Impl::kMaxKeyLen) {
    auto it = impl_->map.find(k);
    if (it != impl_->map.end() && napi_get_reference_value(env, it->second, &v) == napi_ok && v) return v;
  }
  napi_status st = impl_->create_key ? impl_->create_key(env, key, len, &v) : napi_create_string_utf8(env, key, len, &v);
  if (st != napi_ok) throw Napi::Error::New(env);
  if (len <= Impl::kMaxKeyLen && impl_->map.size() < Impl::kMaxEntries) {
    napi_ref ref;
    if (napi_create_reference(env, v, 1, &ref) == napi_ok) impl_->map.emplace(std::string(k), ref);
  }
  return v;
}

namespace {

class Builder {
 public:
  Builder(napi_env env, KeyCache* keys) : env_(env), keys_(keys), props_(Stack()) { props_.clear(); }

  napi_value Value(simdjson::dom::element e) {
    napi_value v = nullptr;
    switch (e.type()) {
      case simdjson::dom::element_type::OBJECT:
        return Object(e.get_object().value_unsafe());
      case simdjson::dom::element_type::ARRAY:
        return Array(e.get_array().value_unsafe());
      case simdjson::dom::element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        // ASCII (the common case) needs no UTF-8 decoding: latin1 is a copy.
        bool ascii = true;
        for (unsigned char c : s) ascii &= c < 0x80;
        if (ascii) {
          Check(napi_create_string_latin1(env_, s.data(), s.size(), &v));
        } else {
          Check(napi_create_string_utf8(env_, s.data(), s.size(), &v));
        }
        return v;
      }
      case simdjson::dom::element_type::INT64: {
        int64_t i = e.get_int64().value_unsafe();
        if (i >= INT32_MIN && i <= INT32_MAX) {
          Check(napi_create_int32(env_, static_cast<int32_t>(i), &v));
        } else {
          Check(napi_create_double(env_, static_cast<double>(i), &v));
        }
        return v;
      }
      case simdjson::dom::element_type::UINT64:
        Check(napi_create_double(env_, static_cast<double>(e.get_uint64().value_unsafe()), &v));
        return v;
      case simdjson::dom::element_type::DOUBLE:
        Check(napi_create_double(env_, e.get_double().value_unsafe(), &v));
        return v;
      case simdjson::dom::element_type::BOOL:
        Check(napi_get_boolean(env_, e.get_bool().value_unsafe(), &v));
        return v;
      case simdjson::dom::element_type::NULL_VALUE:
        Check(napi_get_null(env_, &v));
        return v;
    }
    Check(napi_get_null(env_, &v));
    return v;
  }

 private:
  void Check(napi_status s) {
    if (s != napi_ok) throw Napi::Error::New(env_);
  }

  // All members of an object go in with one napi_define_properties call
  // (plain data properties, as JSON.parse makes): much cheaper than one
  // napi_set_property per member, and never runs a setter of
  // Object.prototype nor treats "__proto__" as the prototype.
  napi_value Object(simdjson::dom::object o) {
    napi_value obj;
    Check(napi_create_object(env_, &obj));
    size_t base = props_.size();
    for (simdjson::dom::key_value_pair field : o) {
      napi_value key;
      if (keys_) {
        key = keys_->Get(field.key.data(), field.key.size());
      } else {
        Check(napi_create_string_utf8(env_, field.key.data(), field.key.size(), &key));
      }
      napi_value value = Value(field.value);  // may grow props_ (nested objects use the space above base)
      props_.push_back({nullptr, key, nullptr, nullptr, nullptr, value, napi_default_jsproperty, nullptr});
    }
    size_t n = props_.size() - base;
    if (n) Check(napi_define_properties(env_, obj, n, props_.data() + base));
    props_.resize(base);
    return obj;
  }

  napi_value Array(simdjson::dom::array a) {
    napi_value arr;
    Check(napi_create_array_with_length(env_, a.size(), &arr));
    uint32_t i = 0;
    for (simdjson::dom::element item : a) {
      Check(napi_set_element(env_, arr, i++, Value(item)));
    }
    return arr;
  }

  napi_env env_;
  KeyCache* keys_;
  // A stack of member descriptors, one frame per open object; one per
  // thread, reused (building never calls back into JS, so never re-enters).
  static std::vector<napi_property_descriptor>& Stack() {
    thread_local std::vector<napi_property_descriptor> stack;
    return stack;
  }
  std::vector<napi_property_descriptor>& props_;
};

}  // namespace

napi_value ReadJson(napi_env env, const char* data, size_t len, KeyCache* keys) {
  // One parser per thread, reused: its buffers grow to the largest result.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(data, len, true).get(root);
  if (error) {
    std::string msg = "kilndb: malformed JSON from the engine: ";
    msg += simdjson::error_message(error);
    throw Napi::Error::New(env, msg);
  }
  return Builder(env, keys).Value(root);
}

}  // namespace kilnnode

// ---- Variant (c) of BENCHMARKS.md: shape-cached factories ------------------
//
// Objects with the same member names in the same order are built by one JS
// function per shape, `(a0, a1, ...) => ({"name": a0, "age": a1, ...})`,
// compiled once (V8 then creates them from a literal boilerplate with a
// fixed hidden class); arrays by `(...) => [a0, a1, ...]` per length. Leaves
// are still N-API values. Measured slower than JSON.parse of the text, so it
// is kept only for bench/get_paths.js.
namespace kilnnode {

struct ShapeCache::Impl {
  napi_env env;
  napi_ref maker = nullptr;  // (keys: string[] | number) => factory
  std::unordered_map<std::string, napi_ref> objects;
  std::vector<napi_ref> arrays;
};

ShapeCache::ShapeCache(napi_env env) : impl_(new Impl{env, nullptr, {}, {}}) {}

ShapeCache::~ShapeCache() {
  if (impl_->maker) napi_delete_reference(impl_->env, impl_->maker);
  for (auto& [k, ref] : impl_->objects) napi_delete_reference(impl_->env, ref);
  for (napi_ref ref : impl_->arrays) napi_delete_reference(impl_->env, ref);
}

namespace {

constexpr size_t kMaxShapeArgs = 64;

class ShapedBuilder {
 public:
  ShapedBuilder(napi_env env, ShapeCache::Impl* cache) : env_(env), c_(cache) {}

  napi_value Value(simdjson::dom::element e) {
    napi_value v = nullptr;
    switch (e.type()) {
      case simdjson::dom::element_type::OBJECT:
        return Object(e.get_object().value_unsafe());
      case simdjson::dom::element_type::ARRAY:
        return Array(e.get_array().value_unsafe());
      case simdjson::dom::element_type::STRING: {
        std::string_view s = e.get_string().value_unsafe();
        bool ascii = true;
        for (unsigned char ch : s) ascii &= ch < 0x80;
        Check(ascii ? napi_create_string_latin1(env_, s.data(), s.size(), &v)
                    : napi_create_string_utf8(env_, s.data(), s.size(), &v));
        return v;
      }
      case simdjson::dom::element_type::INT64: {
        int64_t i = e.get_int64().value_unsafe();
        Check(i >= INT32_MIN && i <= INT32_MAX ? napi_create_int32(env_, static_cast<int32_t>(i), &v)
                                               : napi_create_double(env_, static_cast<double>(i), &v));
        return v;
      }
      case simdjson::dom::element_type::UINT64:
        Check(napi_create_double(env_, static_cast<double>(e.get_uint64().value_unsafe()), &v));
        return v;
      case simdjson::dom::element_type::DOUBLE:
        Check(napi_create_double(env_, e.get_double().value_unsafe(), &v));
        return v;
      case simdjson::dom::element_type::BOOL:
        Check(napi_get_boolean(env_, e.get_bool().value_unsafe(), &v));
        return v;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
    }
    Check(napi_get_null(env_, &v));
    return v;
  }

 private:
  void Check(napi_status s) {
    if (s != napi_ok) throw Napi::Error::New(env_);
  }

  napi_value Maker() {
    napi_value fn;
    if (c_->maker && napi_get_reference_value(env_, c_->maker, &fn) == napi_ok && fn) return fn;
    static const char kSrc[] =
        "(function (shape) {"
        "  if (typeof shape === 'number') {"
        "    const p = Array.from({ length: shape }, (_, i) => 'a' + i);"
        "    return new Function(...p, 'return [' + p.join(',') + '];');"
        "  }"
        "  const p = shape.map((_, i) => 'a' + i);"
        "  const body = shape.map((k, i) => (k === '__proto__' ? '[\"__proto__\"]' : JSON.stringify(k)) + ':' + p[i]);"
        "  return new Function(...p, 'return {' + body.join(',') + '};');"
        "})";
    napi_value src;
    Check(napi_create_string_utf8(env_, kSrc, sizeof kSrc - 1, &src));
    Check(napi_run_script(env_, src, &fn));
    Check(napi_create_reference(env_, fn, 1, &c_->maker));
    return fn;
  }

  napi_value Make(napi_value shape) {
    napi_value undefined, fn;
    Check(napi_get_undefined(env_, &undefined));
    Check(napi_call_function(env_, undefined, Maker(), 1, &shape, &fn));
    return fn;
  }

  napi_value Call(napi_value fn, size_t n, napi_value* args) {
    napi_value undefined, out;
    Check(napi_get_undefined(env_, &undefined));
    Check(napi_call_function(env_, undefined, fn, n, args, &out));
    return out;
  }

  napi_value Object(simdjson::dom::object o) {
    napi_value args[kMaxShapeArgs];
    std::string shape;
    size_t n = 0;
    for (simdjson::dom::key_value_pair field : o) {
      if (n == kMaxShapeArgs) return Fallback(o);
      shape.append(field.key.data(), field.key.size());
      shape.push_back('\0');
      args[n++] = Value(field.value);
    }
    napi_value fn;
    auto it = c_->objects.find(shape);
    if (it == c_->objects.end() || napi_get_reference_value(env_, it->second, &fn) != napi_ok || !fn) {
      napi_value names;
      Check(napi_create_array_with_length(env_, n, &names));
      uint32_t i = 0;
      for (simdjson::dom::key_value_pair field : o) {
        napi_value k;
        Check(napi_create_string_utf8(env_, field.key.data(), field.key.size(), &k));
        Check(napi_set_element(env_, names, i++, k));
      }
      fn = Make(names);
      napi_ref ref;
      Check(napi_create_reference(env_, fn, 1, &ref));
      c_->objects[shape] = ref;
    }
    return Call(fn, n, args);
  }

  napi_value Fallback(simdjson::dom::object o) {
    napi_value obj;
    Check(napi_create_object(env_, &obj));
    for (simdjson::dom::key_value_pair field : o) {
      napi_value k;
      Check(napi_create_string_utf8(env_, field.key.data(), field.key.size(), &k));
      napi_property_descriptor d{nullptr, k, nullptr, nullptr, nullptr, Value(field.value), napi_default_jsproperty,
                                 nullptr};
      Check(napi_define_properties(env_, obj, 1, &d));
    }
    return obj;
  }

  napi_value Array(simdjson::dom::array a) {
    size_t n = a.size();
    if (n > 16) {
      napi_value arr;
      Check(napi_create_array_with_length(env_, n, &arr));
      uint32_t i = 0;
      for (simdjson::dom::element item : a) Check(napi_set_element(env_, arr, i++, Value(item)));
      return arr;
    }
    napi_value args[16];
    size_t i = 0;
    for (simdjson::dom::element item : a) args[i++] = Value(item);
    if (c_->arrays.size() <= n) c_->arrays.resize(n + 1, nullptr);
    napi_value fn = nullptr;
    if (!c_->arrays[n] || napi_get_reference_value(env_, c_->arrays[n], &fn) != napi_ok || !fn) {
      napi_value len;
      Check(napi_create_uint32(env_, static_cast<uint32_t>(n), &len));
      fn = Make(len);
      Check(napi_create_reference(env_, fn, 1, &c_->arrays[n]));
    }
    return Call(fn, n, args);
  }

  napi_env env_;
  ShapeCache::Impl* c_;
};

}  // namespace

napi_value ReadJsonShaped(napi_env env, const char* data, size_t len, ShapeCache* cache) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto error = parser.parse(data, len, true).get(root);
  if (error) throw Napi::Error::New(env, std::string("kilndb: malformed JSON from the engine: ") +
                                             simdjson::error_message(error));
  return ShapedBuilder(env, cache->impl_.get()).Value(root);
}

}  // namespace kilnnode
