// UUIDv7 (RFC 9562) keys for array inserts: time-ordered, so generated keys
// sort by creation time, and strictly increasing within one process.
#pragma once

#include <cstdint>
#include <string>

namespace kiln {

// Lower-case canonical form, 36 characters.
std::string make_uuid7(int64_t now_ms);

}  // namespace kiln
