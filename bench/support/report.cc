#include "support/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace kbench {
namespace {

// Display width: count UTF-8 code points, not bytes (÷, ≥, ≤, ×).
size_t width(std::string_view s) {
  size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string pad(std::string_view s, size_t w, bool right) {
  std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + std::string(s) : std::string(s) + fill;
}

}  // namespace

std::string Table::console() const {
  std::vector<size_t> w(header_.size(), 0);
  for (size_t c = 0; c < header_.size(); ++c) w[c] = width(header_[c]);
  for (const auto& r : rows_) {
    for (size_t c = 0; c < r.size() && c < w.size(); ++c) w[c] = std::max(w[c], width(r[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t c = 0; c < w.size(); ++c) {
      out += c ? " | " : "";
      out += pad(c < cells.size() ? cells[c] : "", w[c], right_ && c > 0);
    }
    return out + "\n";
  };
  std::string rule;
  for (size_t c = 0; c < w.size(); ++c) rule += (c ? "-+-" : "") + std::string(w[c], '-');
  std::string out = line(header_) + rule + "\n";
  for (const auto& r : rows_) out += line(r);
  return out;
}

std::string Table::markdown() const {
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '|') o += "\\";
      o.push_back(c);
    }
    return o;
  };
  std::string out = "|";
  for (const auto& h : header_) out += " " + esc(h) + " |";
  out += "\n|";
  for (size_t c = 0; c < header_.size(); ++c) out += c && right_ ? "---:|" : "---|";
  out += "\n";
  for (const auto& r : rows_) {
    out += "|";
    for (size_t c = 0; c < header_.size(); ++c) out += " " + esc(c < r.size() ? r[c] : "") + " |";
    out += "\n";
  }
  return out;
}

std::string json_escape(std::string_view s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o.push_back('\\');
      o.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o.push_back(static_cast<char>(c));
    }
  }
  return o + "\"";
}

void JsonWriter::comma() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ",";
    first_.back() = false;
  }
}
JsonWriter& JsonWriter::begin_object() {
  comma();
  out_ += "{";
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += "}";
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  comma();
  out_ += "[";
  first_.push_back(true);
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += "]";
  first_.pop_back();
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  comma();
  out_ += json_escape(k) + ":";
  after_key_ = true;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  comma();
  out_ += json_escape(s);
  return *this;
}
JsonWriter& JsonWriter::value(double d) {
  comma();
  if (!std::isfinite(d)) {
    out_ += "null";
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    out_ += buf;
  }
  return *this;
}
JsonWriter& JsonWriter::value(uint64_t u) {
  comma();
  out_ += std::to_string(u);
  return *this;
}
JsonWriter& JsonWriter::value(int64_t i) {
  comma();
  out_ += std::to_string(i);
  return *this;
}
JsonWriter& JsonWriter::value(bool b) {
  comma();
  out_ += b ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::null() {
  comma();
  out_ += "null";
  return *this;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string human_count(double v) {
  const char* unit = "";
  double a = std::fabs(v);
  if (a >= 1e9) {
    v /= 1e9;
    unit = " G";
  } else if (a >= 1e6) {
    v /= 1e6;
    unit = " M";
  } else if (a >= 1e3) {
    v /= 1e3;
    unit = " k";
  }
  double b = std::fabs(v);
  int dec = b >= 100 ? 0 : b >= 10 ? 1 : 2;
  return fixed(v, dec) + unit;
}

std::string mib(double bytes) { return fixed(bytes / (1024.0 * 1024.0), 1) + " MiB"; }

}  // namespace kbench
