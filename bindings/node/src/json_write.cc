// json_write.cc — see json_write.h.
#include "json_write.h"

#include <napi.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace kilnnode {
namespace {

constexpr int kMaxDepth = 256;  // the engine's own limit is lower; this stops cycles
constexpr size_t kStackString = 256;

// 0 = copy as is, 1 = needs an escape.
struct EscapeTable {
  unsigned char needs[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) needs[c] = 1;
    needs[static_cast<unsigned char>('"')] = 1;
    needs[static_cast<unsigned char>('\\')] = 1;
  }
};
constexpr EscapeTable kEscape;

// Opens a handle scope for one container, closed on every exit path
// (N-API insists that scopes balance even when an exception unwinds).
class Scope {
 public:
  explicit Scope(napi_env env) : env_(env) {
    if (napi_open_handle_scope(env, &scope_) != napi_ok) throw Napi::Error::New(env);
  }
  ~Scope() { napi_close_handle_scope(env_, scope_); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  napi_env env_;
  napi_handle_scope scope_;
};

class Writer {
 public:
  Writer(napi_env env, std::string& out) : env_(env), out_(out) {}

  void Value(napi_value v, int depth) {
    napi_valuetype type;
    Check(napi_typeof(env_, v, &type));
    switch (type) {
      case napi_undefined:
      case napi_null:
      case napi_function:
      case napi_symbol:
        out_ += "null";
        return;
      case napi_boolean: {
        bool b;
        Check(napi_get_value_bool(env_, v, &b));
        out_ += b ? "true" : "false";
        return;
      }
      case napi_number: {
        double d;
        Check(napi_get_value_double(env_, v, &d));
        Number(d);
        return;
      }
      case napi_string:
        String(v);
        return;
      case napi_bigint:
        throw Napi::TypeError::New(env_, "Do not know how to serialize a BigInt");
      case napi_object:
      case napi_external:
        Container(v, depth);
        return;
    }
    out_ += "null";
  }

 private:
  void Check(napi_status s) {
    if (s != napi_ok) throw Napi::Error::New(env_);
  }

  static bool Skipped(napi_valuetype t) {
    return t == napi_undefined || t == napi_function || t == napi_symbol;
  }

  void Number(double d) {
    char buf[32];
    std::to_chars_result r;
    if (!std::isfinite(d)) {
      out_ += "null";
      return;
    }
    if (d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) {
      r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(d));
    } else {
      r = std::to_chars(buf, buf + sizeof buf, d);
    }
    out_.append(buf, r.ptr);
  }

  void String(napi_value v) {
    char stack[kStackString];
    size_t len = 0;
    Check(napi_get_value_string_utf8(env_, v, stack, sizeof stack, &len));
    // A truncated copy never splits a character, so it is at least
    // sizeof stack - 4 bytes long: anything shorter is the whole string.
    if (len + 4 < sizeof stack) {
      Escaped(stack, len);
      return;
    }
    Check(napi_get_value_string_utf8(env_, v, nullptr, 0, &len));
    scratch_.resize(len + 1);
    Check(napi_get_value_string_utf8(env_, v, scratch_.data(), len + 1, &len));
    Escaped(scratch_.data(), len);
  }

  void Escaped(const char* s, size_t n) {
    static constexpr char kHex[] = "0123456789abcdef";
    out_.push_back('"');
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (!kEscape.needs[c]) continue;
      out_.append(s + start, i - start);
      start = i + 1;
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        case '\b': out_ += "\\b"; break;
        case '\f': out_ += "\\f"; break;
        default: {
          char e[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
          out_.append(e, 6);
        }
      }
    }
    out_.append(s + start, n - start);
    out_.push_back('"');
  }

  void Container(napi_value v, int depth) {
    if (depth >= kMaxDepth) {
      throw Napi::TypeError::New(env_, "Value is nested too deeply or contains a cycle");
    }
    bool flag = false;
    Check(napi_is_array(env_, v, &flag));
    if (flag) return Array(v, depth);
    Check(napi_is_date(env_, v, &flag));
    if (flag) return Date(v);
    Object(v, depth);
  }

  void Array(napi_value v, int depth) {
    uint32_t n = 0;
    Check(napi_get_array_length(env_, v, &n));
    out_.push_back('[');
    for (uint32_t i = 0; i < n; ++i) {
      Scope scope(env_);
      if (i) out_.push_back(',');
      napi_value item;
      Check(napi_get_element(env_, v, i, &item));
      Value(item, depth + 1);
    }
    out_.push_back(']');
  }

  void Date(napi_value v) {
    double ms;
    Check(napi_get_date_value(env_, v, &ms));
    if (!std::isfinite(ms)) {
      out_ += "null";
      return;
    }
    Napi::Object obj(env_, v);
    Napi::Value iso = obj.Get("toISOString").As<Napi::Function>().Call(obj, {});
    String(iso);
  }

  void Object(napi_value v, int depth) {
    Scope scope(env_);
    napi_value names;
    Check(napi_get_all_property_names(env_, v, napi_key_own_only,
                                      static_cast<napi_key_filter>(napi_key_enumerable | napi_key_skip_symbols),
                                      napi_key_numbers_to_strings, &names));
    uint32_t n = 0;
    Check(napi_get_array_length(env_, names, &n));
    out_.push_back('{');
    bool first = true;
    for (uint32_t i = 0; i < n; ++i) {
      napi_value key, item;
      Check(napi_get_element(env_, names, i, &key));
      Check(napi_get_property(env_, v, key, &item));
      napi_valuetype t;
      Check(napi_typeof(env_, item, &t));
      if (Skipped(t)) continue;
      if (!first) out_.push_back(',');
      first = false;
      String(key);
      out_.push_back(':');
      Value(item, depth + 1);
    }
    out_.push_back('}');
  }

  napi_env env_;
  std::string& out_;
  std::string scratch_;
};

}  // namespace

void WriteJson(napi_env env, napi_value value, std::string& out) {
  Writer(env, out).Value(value, 0);
}

}  // namespace kilnnode
