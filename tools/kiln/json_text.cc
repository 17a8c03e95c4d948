#include "json_text.h"

#include <cstdint>
#include <cstdio>

namespace kiln_cli {
namespace {

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  return i;
}

size_t skip_string(std::string_view s, size_t i) {  // s[i] == '"'
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') ++i;
    else if (s[i] == '"') return i + 1;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string_view trim(std::string_view s) {
  size_t b = skip_ws(s, 0);
  size_t e = s.size();
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\n' || s[e - 1] == '\r' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

size_t skip_value(std::string_view s, size_t i) {
  i = skip_ws(s, i);
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == std::string_view::npos) return i;
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string_view::npos;
  }
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && s[i] != ' ' && s[i] != '\n' && s[i] != '\r' &&
         s[i] != '\t') {
    ++i;
  }
  return i;
}

bool split_array(std::string_view s, std::vector<std::string_view>& out) {
  size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '[') return false;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == ']') return true;
  while (i < s.size()) {
    size_t end = skip_value(s, i);
    if (end == std::string_view::npos) return false;
    out.push_back(trim(s.substr(i, end - i)));
    i = skip_ws(s, end);
    if (i < s.size() && s[i] == ']') return true;
    if (i >= s.size() || s[i] != ',') return false;
    i = skip_ws(s, i + 1);
  }
  return false;
}

bool object_members(std::string_view s, std::vector<std::pair<std::string, std::string_view>>& out) {
  size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return false;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == '}') return true;
  while (i < s.size()) {
    if (s[i] != '"') return false;
    size_t kend = skip_string(s, i);
    if (kend == std::string_view::npos) return false;
    std::string key = unquote(s.substr(i, kend - i));
    i = skip_ws(s, kend);
    if (i >= s.size() || s[i] != ':') return false;
    size_t vstart = skip_ws(s, i + 1);
    size_t vend = skip_value(s, vstart);
    if (vend == std::string_view::npos) return false;
    out.emplace_back(std::move(key), s.substr(vstart, vend - vstart));
    i = skip_ws(s, vend);
    if (i < s.size() && s[i] == '}') return true;
    if (i >= s.size() || s[i] != ',') return false;
    i = skip_ws(s, i + 1);
  }
  return false;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

std::string unquote(std::string_view lit) {
  if (lit.size() < 2 || lit.front() != '"' || lit.back() != '"') return "";
  std::string out;
  for (size_t i = 1; i + 1 < lit.size(); ++i) {
    char c = lit[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = lit[++i];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(lit.substr(i + 1, 4)), nullptr, 16));
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < lit.size() && lit[i + 1] == '\\' && lit[i + 2] == 'u') {
          uint32_t lo = static_cast<uint32_t>(std::stoul(std::string(lit.substr(i + 3, 4)), nullptr, 16));
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e;  // \" \\ \/
    }
  }
  return out;
}

std::string pretty(std::string_view s) {
  std::string out;
  int depth = 0;
  auto newline = [&] {
    out += '\n';
    out.append(static_cast<size_t>(depth) * 2, ' ');
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    switch (c) {
      case '"': {
        size_t end = skip_string(s, i);
        if (end == std::string_view::npos) end = s.size();
        out.append(s.substr(i, end - i));
        i = end - 1;
        break;
      }
      case '{':
      case '[': {
        size_t j = skip_ws(s, i + 1);
        if (j < s.size() && (s[j] == '}' || s[j] == ']')) {  // empty container stays on one line
          out += c;
          out += s[j];
          i = j;
          break;
        }
        out += c;
        ++depth;
        newline();
        break;
      }
      case '}':
      case ']':
        --depth;
        newline();
        out += c;
        break;
      case ',':
        out += ',';
        newline();
        break;
      case ':': out += ": "; break;
      case ' ':
      case '\n':
      case '\r':
      case '\t': break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace kiln_cli
