// Helpers shared by the durability tests: temporary database directories and
// short C API calls.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "kiln.h"

namespace kiln::durability_testing {

// A fresh directory under $TMPDIR, removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "kiln-test-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string db() const { return path_ + "/db"; }

 private:
  std::string path_;
};

struct Outcome {
  int32_t status;
  std::string text;  // body on success, error message otherwise
};

inline Outcome open_db(const std::string& path, const char* options, kiln_db** out) {
  kiln_error* err = nullptr;
  int32_t status = kiln_open(path.empty() ? nullptr : path.c_str(), options, out, &err);
  Outcome o{status, kiln_error_message(err)};
  kiln_error_free(err);
  return o;
}

inline kiln_db* must_open(const std::string& path, const char* options = nullptr) {
  kiln_db* db = nullptr;
  Outcome o = open_db(path, options, &db);
  EXPECT_EQ(o.status, KILN_OK) << o.text;
  return db;
}

inline Outcome exec(kiln_db* db, std::string_view request) {
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t status = kiln_execute(db, request.data(), request.size(), &out, &len, &err);
  Outcome o{status, status == KILN_OK ? std::string(out, len) : std::string(kiln_error_message(err))};
  kiln_free(out);
  kiln_error_free(err);
  return o;
}

inline std::string must_exec(kiln_db* db, std::string_view request) {
  Outcome o = exec(db, request);
  EXPECT_EQ(o.status, KILN_OK) << request << " -> " << o.text;
  return o.text;
}

// The stored document, or "" when absent.
inline std::string get_doc(kiln_db* db, std::string_view collection, std::string_view key) {
  char* out = nullptr;
  size_t len = 0;
  int32_t status = kiln_get(db, collection.data(), collection.size(), key.data(), key.size(), &out, &len, nullptr);
  std::string doc = status == KILN_OK ? std::string(out, len) : "";
  kiln_free(out);
  return doc;
}

inline std::string verify(const std::string& path) {
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t status = kiln_verify(path.c_str(), &out, &len, &err);
  EXPECT_EQ(status, KILN_OK) << kiln_error_message(err);
  std::string report = status == KILN_OK ? std::string(out, len) : "";
  kiln_free(out);
  kiln_error_free(err);
  return report;
}

inline bool verify_ok(const std::string& report) { return report.find("\"ok\":false") == std::string::npos; }

// The number after "name": in a JSON text (first occurrence), or -1.
inline long long json_number(const std::string& json, std::string_view name) {
  std::string needle = "\"" + std::string(name) + "\":";
  size_t at = json.find(needle);
  if (at == std::string::npos) return -1;
  return std::atoll(json.c_str() + at + needle.size());
}

}  // namespace kiln::durability_testing
