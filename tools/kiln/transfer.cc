// kiln import / export: NDJSON, JSON arrays and CSV, with a progress bar on a
// terminal for long runs.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli.h"
#include "json_text.h"

namespace kiln_cli {
namespace {

constexpr size_t kBatchDocs = 500;             // below the 1000-keys request limit
constexpr size_t kBatchBytes = 4u << 20;       // well below the 10 MiB request limit
constexpr size_t kExportPage = 1000;

class Progress {
 public:
  Progress(const char* verb, uint64_t total_bytes) : verb_(verb), total_(total_bytes), tty_(isatty(2)) {}
  void update(uint64_t done_bytes, uint64_t docs) {
    if (!tty_) return;
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    int pct = total_ ? static_cast<int>(100 * done_bytes / total_) : 0;
    int filled = pct * 30 / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%%  %llu docs", verb_, filled, "##############################",
                 30 - filled, "", pct, static_cast<unsigned long long>(docs));
    shown_ = true;
  }
  void done(uint64_t docs) {
    if (shown_) std::fprintf(stderr, "\r%*s\r", 60, "");
    std::fprintf(stderr, "%s %llu documents\n", verb_, static_cast<unsigned long long>(docs));
  }

 private:
  const char* verb_;
  uint64_t total_;
  bool tty_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_{};
};

std::string read_input(const std::string& file) {
  std::ostringstream buf;
  if (file == "-") {
    buf << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read '" + file + "'");
    buf << in.rdbuf();
  }
  return buf.str();
}

// Batches documents into set requests: keyed ones (with "_key") as an
// object, the others as an array (UUIDv7 keys).
class Importer {
 public:
  Importer(kiln::Database& db, const std::string& collection) : db_(db), coll_(quote(collection)) {}

  void add(std::string_view doc) {
    std::vector<std::pair<std::string, std::string_view>> members;
    std::string key;
    std::string body(doc);
    if (object_members(doc, members)) {
      std::string rebuilt = "{";
      for (auto& [name, value] : members) {
        if (name == "_key" && value.size() && value.front() == '"') {
          key = unquote(value);
          continue;
        }
        if (rebuilt.size() > 1) rebuilt += ',';
        rebuilt += quote(name) + ":" + std::string(value);
      }
      body = rebuilt + "}";
    }
    if (key.empty()) {
      unkeyed_ += (unkeyed_.empty() ? "" : ",") + body;
      if (++unkeyed_n_ >= kBatchDocs || unkeyed_.size() > kBatchBytes) flush_unkeyed();
    } else {
      keyed_ += (keyed_.empty() ? "" : ",") + quote(key) + ":" + body;
      if (++keyed_n_ >= kBatchDocs || keyed_.size() > kBatchBytes) flush_keyed();
    }
    ++count_;
  }
  void finish() {
    flush_keyed();
    flush_unkeyed();
  }
  uint64_t count() const { return count_; }

 private:
  void flush_keyed() {
    if (keyed_n_) db_.execute(R"({"op":"set","collection":)" + coll_ + R"(,"data":{)" + keyed_ + "}}");
    keyed_.clear();
    keyed_n_ = 0;
  }
  void flush_unkeyed() {
    if (unkeyed_n_) db_.execute(R"({"op":"set","collection":)" + coll_ + R"(,"data":[)" + unkeyed_ + "]}");
    unkeyed_.clear();
    unkeyed_n_ = 0;
  }

  kiln::Database& db_;
  std::string coll_;
  std::string keyed_, unkeyed_;
  size_t keyed_n_ = 0, unkeyed_n_ = 0;
  uint64_t count_ = 0;
};

std::vector<std::string> csv_row(std::string_view text, size_t& i) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      break;
    } else {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

bool is_json_number(const std::string& s) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size() || !isdigit(static_cast<unsigned char>(s[i]))) return false;
  if (s[i] == '0' && i + 1 < s.size() && isdigit(static_cast<unsigned char>(s[i + 1]))) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && s.find_first_of("xXpPnN") == std::string::npos;
}

std::string csv_value_to_json(const std::string& v) {
  if (v == "true" || v == "false" || v == "null" || is_json_number(v)) return v;
  if ((v.front() == '{' || v.front() == '[') && skip_value(v, 0) == v.size()) return v;  // exported nested value
  return quote(v);
}

std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

std::string detect_format(const std::string& file, const std::string& flag) {
  if (!flag.empty()) {
    if (flag != "ndjson" && flag != "json" && flag != "csv") throw std::runtime_error("unknown --format '" + flag + "'");
    return flag;
  }
  if (file.ends_with(".csv")) return "csv";
  if (file.ends_with(".json")) return "json";
  return "ndjson";
}

int cmd_import(const std::string& path, const std::string& collection, const std::string& file,
               const std::string& format_flag, const Global& g) {
  std::string format = detect_format(file, format_flag);
  std::string text = read_input(file);
  if (format == "json" && trim(text).substr(0, 1) != "[") format = "ndjson";  // one object per line after all
  kiln::Database db = open_db(path, g);
  Importer importer(db, collection);
  Progress progress("imported", text.size());
  if (format == "json") {
    std::vector<std::string_view> docs;
    if (!split_array(text, docs)) throw std::runtime_error("'" + file + "' is not a JSON array");
    for (std::string_view d : docs) {
      importer.add(d);
      progress.update(static_cast<uint64_t>(d.data() - text.data()), importer.count());
    }
  } else if (format == "ndjson") {
    size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line = trim(std::string_view(text).substr(pos, nl - pos));
      ++line_no;
      pos = nl + 1;
      if (line.empty()) continue;
      try {
        importer.add(line);
      } catch (const kiln::Exception& e) {
        throw kiln::Exception(e.status(), "near line " + std::to_string(line_no) + ": " + e.what());
      }
      progress.update(pos, importer.count());
    }
  } else {
    size_t i = 0;
    std::vector<std::string> header = csv_row(text, i);
    while (i < text.size()) {
      std::vector<std::string> row = csv_row(text, i);
      if (row.size() == 1 && row[0].empty()) continue;
      std::string doc = "{";
      for (size_t c = 0; c < header.size() && c < row.size(); ++c) {
        if (row[c].empty()) continue;
        if (doc.size() > 1) doc += ',';
        doc += quote(header[c]) + ":" + (header[c] == "_key" ? quote(row[c]) : csv_value_to_json(row[c]));
      }
      importer.add(doc + "}");
      progress.update(i, importer.count());
    }
  }
  importer.finish();
  progress.done(importer.count());
  return 0;
}

int cmd_export(const std::string& path, const std::string& collection, const std::string& file,
               const std::string& format_flag, const Global& g) {
  std::string format = detect_format(file, format_flag);
  kiln::Database db = open_db(path, g, true);
  std::string coll = quote(collection);
  // Pages of kExportPage documents; builds without count/offset support
  // answer the whole collection at once.
  std::vector<std::string> pages;
  std::vector<std::string_view> docs;
  bool paged = true;
  for (size_t offset = 0;; offset += kExportPage) {
    std::string request = R"({"op":"get","collection":)" + coll;
    if (paged) request += R"(,"count":)" + std::to_string(kExportPage) + R"(,"offset":)" + std::to_string(offset);
    request += "}";
    std::string page;
    try {
      page = db.execute(request);
    } catch (const kiln::Exception& e) {
      if (e.status() == KILN_NOT_FOUND) break;
      if (paged && e.status() == KILN_INVALID_ARGUMENT && offset == 0) {
        paged = false;
        offset -= kExportPage;  // retry without paging (wraps to 0 at the increment)
        continue;
      }
      throw;
    }
    pages.push_back(std::move(page));
    size_t before = docs.size();
    if (!split_array(pages.back(), docs)) throw std::runtime_error("unexpected response: " + pages.back().substr(0, 80));
    if (!paged || docs.size() - before < kExportPage) break;
  }

  std::ofstream file_out;
  if (file != "-") {
    file_out.open(file, std::ios::binary | std::ios::trunc);
    if (!file_out) throw std::runtime_error("cannot write '" + file + "'");
  }
  std::ostream& out = file == "-" ? std::cout : file_out;
  Progress progress("exported", docs.size());
  if (format == "ndjson") {
    for (size_t i = 0; i < docs.size(); ++i) {
      out << docs[i] << "\n";
      progress.update(i, i);
    }
  } else if (format == "json") {
    out << "[";
    for (size_t i = 0; i < docs.size(); ++i) out << (i ? ",\n" : "\n") << docs[i];
    out << (docs.empty() ? "]\n" : "\n]\n");
  } else {
    std::vector<std::string> header;
    std::vector<std::vector<std::pair<std::string, std::string_view>>> rows(docs.size());
    for (size_t i = 0; i < docs.size(); ++i) {
      object_members(docs[i], rows[i]);
      for (auto& [name, value] : rows[i]) {
        if (std::find(header.begin(), header.end(), name) == header.end()) header.push_back(name);
      }
    }
    for (size_t c = 0; c < header.size(); ++c) out << (c ? "," : "") << csv_escape(header[c]);
    out << "\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t c = 0; c < header.size(); ++c) {
        if (c) out << ",";
        for (auto& [name, value] : rows[i]) {
          if (name != header[c]) continue;
          if (value == "null") break;
          out << csv_escape(value.front() == '"' ? unquote(value) : std::string(value));
          break;
        }
      }
      out << "\n";
      progress.update(i, i);
    }
  }
  out.flush();
  if (!out) throw std::runtime_error("writing '" + file + "' failed");
  progress.done(docs.size());
  return 0;
}

}  // namespace kiln_cli
