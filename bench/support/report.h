// Output helpers: an aligned text/Markdown table, a small JSON writer and
// number formatting.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kbench {

class Table {
 public:
  // right_align: numeric columns (all but the first) right-aligned.
  explicit Table(std::vector<std::string> header, bool right_align = true)
      : header_(std::move(header)), right_(right_align) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  std::string console() const;   // aligned columns, ASCII rules
  std::string markdown() const;  // GitHub table

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
  bool right_;
};

// Streaming JSON writer: call key() before each value inside objects.
class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(double d);  // NaN/inf -> null
  JsonWriter& value(uint64_t u);
  JsonWriter& value(int64_t i);
  JsonWriter& value(int i) { return value(static_cast<int64_t>(i)); }
  JsonWriter& value(bool b);
  JsonWriter& null();
  const std::string& str() const { return out_; }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

std::string json_escape(std::string_view s);

// "1.23 M", "456 k", "12.3": three significant digits with a unit prefix.
std::string human_count(double v);
std::string fixed(double v, int decimals);
std::string mib(double bytes);  // "123.4 MiB"

}  // namespace kbench
