// kiln::Error — the one exception type libcore throws. It carries a status
// code that capi/ maps 1:1 to a KILN_* status, and a message meant for users.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace kiln {

// Mirrors the KILN_* status values of kiln.h (libcore never includes kiln.h;
// capi/ has a static_assert for every pair).
enum class Code : int32_t {
  kOk = 0,
  kNotFound = 1,
  kInvalidArgument = 10,
  kConflict = 11,
  kLocked = 20,
  kClosed = 21,
  kReadOnly = 22,
  kIoError = 30,
  kCorruption = 31,
  kNoSpace = 32,
  kInternal = 40,
  kNoMemory = 41,
};

class Error : public std::runtime_error {
 public:
  Error(Code code, const std::string& message) : std::runtime_error(message), code_(code) {}
  Code code() const { return code_; }

 private:
  Code code_;
};

[[noreturn]] inline void throw_invalid(const std::string& message) {
  throw Error(Code::kInvalidArgument, message);
}

}  // namespace kiln
