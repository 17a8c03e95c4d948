#include "support/test_db.h"

#include <gtest/gtest.h>

#include <regex>

namespace kiln::testing {

Result run(kiln_db* db, std::string_view request) {
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t status = kiln_execute(db, request.data(), request.size(), &out, &len, &err);
  Result r{status, status == KILN_OK ? std::string(out, len) : std::string(kiln_error_message(err))};
  kiln_free(out);
  kiln_error_free(err);
  return r;
}

TestDb::TestDb(const char* options_json, const char* path) {
  kiln_error* err = nullptr;
  int32_t status = kiln_open(path, options_json, &db_, &err);
  EXPECT_EQ(status, KILN_OK) << kiln_error_message(err);
  kiln_error_free(err);
}

TestDb::~TestDb() { kiln_close(db_); }

Result TestDb::run(std::string_view request) const { return kiln::testing::run(db_, request); }

std::string TestDb::ok(std::string_view request) const {
  Result r = run(request);
  EXPECT_EQ(r.status, KILN_OK) << request << " -> " << r.body;
  return r.body;
}

std::string keys_of(const std::string& body) {
  static const std::regex key("\"_key\":\"([^\"]*)\"");
  std::string out;
  for (auto it = std::sregex_iterator(body.begin(), body.end(), key); it != std::sregex_iterator(); ++it) {
    if (!out.empty()) out += ",";
    out += (*it)[1].str();
  }
  return out;
}

std::string mask_times(std::string json) {
  static const std::regex stamp("\"(createdAt|modifiedAt)\":\"[0-9T:Z-]+\"");
  return std::regex_replace(json, stamp, "\"$1\":\"T\"");
}

}  // namespace kiln::testing
