// Wall-clock helpers: document timestamps and log record times.
#pragma once

#include <cstdint>
#include <string>

namespace kiln {

int64_t now_millis();
// ISO-8601 UTC to the second, e.g. "2026-11-22T02:10:41Z".
std::string iso8601_utc(int64_t millis);

}  // namespace kiln
