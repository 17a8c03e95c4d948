// TestDb: a database opened through the C API, with helpers that keep tests
// short: run a request, get {status, body-or-message}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kiln.h"

namespace kiln::testing {

struct Result {
  int32_t status;
  std::string body;  // the response on KILN_OK, else the error message
  bool ok() const { return status == KILN_OK; }
};

class TestDb {
 public:
  // In-memory unless a path is given.
  explicit TestDb(const char* options_json = nullptr, const char* path = nullptr);
  ~TestDb();
  TestDb(const TestDb&) = delete;
  TestDb& operator=(const TestDb&) = delete;

  Result run(std::string_view request) const;
  // Runs and expects KILN_OK; returns the body (fails the test otherwise).
  std::string ok(std::string_view request) const;

  kiln_db* handle() const { return db_; }

 private:
  kiln_db* db_ = nullptr;
};

// Runs a request on an open handle.
Result run(kiln_db* db, std::string_view request);

// The _key values of a multi-document result, in order, comma-separated.
std::string keys_of(const std::string& body);

// Replaces the values of "createdAt"/"modifiedAt" with "T", so bodies can be
// compared exactly.
std::string mask_times(std::string json);

}  // namespace kiln::testing
