#include "query/fold.h"

#include <clocale>
#include <cstdint>
#include <cstring>
#include <cwctype>
#include <locale.h>

namespace kiln::query {
namespace {

// A UTF-8 LC_CTYPE for towlower_l, independent of the process locale.
locale_t utf8_locale() {
  static locale_t loc = [] {
    locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (!l) l = newlocale(LC_CTYPE_MASK, "C.utf8", static_cast<locale_t>(0));
    return l;
  }();
  return loc;
}

// Decodes one code point at s[i] (input is validated UTF-8); advances i.
char32_t decode(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    ++i;
    return b;
  }
  int n = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
  char32_t cp = b & (0x3F >> n);
  ++i;
  for (int k = 0; k < n && i < s.size(); ++k, ++i) cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3F);
  return cp;
}

void encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

char32_t lower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  locale_t loc = utf8_locale();
  return loc ? static_cast<char32_t>(towlower_l(static_cast<wint_t>(cp), loc)) : cp;
}

bool is_cased(char32_t cp) {
  locale_t loc = utf8_locale();
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
  if (!loc) return false;
  auto w = static_cast<wint_t>(cp);
  return towlower_l(w, loc) != w || towupper_l(w, loc) != w;
}

// Unicode Case_Ignorable, approximated by the common members.
bool is_case_ignorable(char32_t cp) {
  return cp == '\'' || cp == '.' || cp == ':' || cp == '^' || cp == '`' || cp == 0xAD || cp == 0xB7 ||
         cp == 0x2019 || (cp >= 0x300 && cp <= 0x36F);
}

// Final_Sigma: preceded by a cased letter (skipping case-ignorables) and
// not followed by one.
bool final_sigma(std::string_view s, size_t start, size_t end) {
  bool before = false;
  for (size_t i = 0; i < start;) {
    char32_t cp = decode(s, i);
    if (is_case_ignorable(cp)) continue;
    before = is_cased(cp);
  }
  if (!before) return false;
  for (size_t i = end; i < s.size();) {
    char32_t cp = decode(s, i);
    if (is_case_ignorable(cp)) continue;
    return !is_cased(cp);
  }
  return true;
}

void fold_unicode(std::string_view s, size_t from, std::string& out) {
  for (size_t i = from; i < s.size();) {
    size_t start = i;
    char32_t cp = decode(s, i);
    if (cp == 0x130) {  // İ -> i + combining dot above
      out.push_back('i');
      encode(0x307, out);
    } else if (cp == 0x3A3) {
      encode(final_sigma(s, start, i) ? 0x3C2 : 0x3C3, out);
    } else {
      encode(lower(cp), out);
    }
  }
}

}  // namespace

void fold_case(std::string_view s, std::string& out) {
  size_t i = 0;
  out.reserve(out.size() + s.size());
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) break;
    out.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  if (i < s.size()) fold_unicode(s, i, out);
}

bool folded_equals(std::string_view s, std::string_view other) {
  size_t i = 0;
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) break;
    if (i >= other.size()) return false;
    if (static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c) != other[i]) return false;
  }
  if (i == s.size()) return i == other.size();
  thread_local std::string buf;
  buf.clear();
  fold_unicode(s, i, buf);
  return other.substr(i) == buf;  // final sigma only looks at cased letters, so the ASCII prefix is context
}

bool folded_contains(std::string_view s, std::string_view needle) {
  thread_local std::string buf;
  buf.clear();
  fold_case(s, buf);
  if (needle.empty()) return true;
  return memmem(buf.data(), buf.size(), needle.data(), needle.size()) != nullptr;
}

}  // namespace kiln::query
