#include "doc/json_writer.h"

#include <charconv>
#include <cstring>

namespace kiln::doc {
namespace {

// Which bytes need escaping in a JSON string: '"', '\\' and controls.
struct EscapeTable {
  bool needs[256] = {};
  constexpr EscapeTable() {
    for (int c = 0; c < 0x20; ++c) needs[c] = true;
    needs[static_cast<unsigned char>('"')] = true;
    needs[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapeTable kEscape;

void write_double(double d, std::string& out) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, static_cast<size_t>(end - buf));
  size_t e = text.find('e');
  if (e != std::string_view::npos) {
    // "1e+21" -> "1e21": the exponent form serde_json prints.
    out.append(text.substr(0, e + 1));
    std::string_view exp = text.substr(e + 1);
    if (!exp.empty() && exp.front() == '+') exp.remove_prefix(1);
    out.append(exp);
    return;
  }
  out.append(text);
  // A float stays a float: 1.0 is written "1.0", not "1".
  if (text.find('.') == std::string_view::npos) out.append(".0");
}

template <typename Int>
void write_integer(Int v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(end - buf));
}

void write_object(Value v, std::string_view inject_key, bool inject, std::string& out) {
  out.push_back('{');
  size_t n = v.count();
  bool first = true;
  auto member = [&](std::string_view key) {
    if (!first) out.push_back(',');
    first = false;
    write_json_string(key, out);
    out.push_back(':');
  };
  for (size_t i = 0; i < n; ++i) {
    std::string_view key = v.key_at(i);
    if (inject) {
      if (key == "_key") continue;  // replaced by the injected one
      if (key > "_key") {
        member("_key");
        write_json_string(inject_key, out);
        inject = false;
      }
    }
    member(key);
    write_json(v.value_at(i), out);
  }
  if (inject) {
    member("_key");
    write_json_string(inject_key, out);
  }
  out.push_back('}');
}

}  // namespace

void write_json_string(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kEscape.needs[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        static const char* hex = "0123456789abcdef";
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

void write_json(Value v, std::string& out) {
  switch (v.tag()) {
    case kNull: out.append("null"); break;
    case kFalse: out.append("false"); break;
    case kTrue: out.append("true"); break;
    case kInt: write_integer(v.as_int(), out); break;
    case kUint: write_integer(v.as_uint(), out); break;
    case kDouble: write_double(v.as_double(), out); break;
    case kString: write_json_string(v.as_string(), out); break;
    case kArray: {
      out.push_back('[');
      size_t n = v.count();
      Value e = v.first_element();
      for (size_t i = 0; i < n; ++i, e = e.next()) {
        if (i) out.push_back(',');
        write_json(e, out);
      }
      out.push_back(']');
      break;
    }
    default: write_object(v, {}, false, out); break;
  }
}

void write_json_with_key(Value v, std::string_view key, std::string& out) {
  if (v.is_object()) {
    write_object(v, key, true, out);
  } else {
    write_json(v, out);
  }
}

}  // namespace kiln::doc
