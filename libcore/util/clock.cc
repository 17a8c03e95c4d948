#include "util/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace kiln {

int64_t now_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string iso8601_utc(int64_t millis) {
  std::time_t secs = static_cast<std::time_t>(millis / 1000);
  // Every write formats "now"; within one second the text is the same.
  thread_local std::time_t cached_secs = -1;
  thread_local std::string cached;
  if (secs == cached_secs) return cached;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];  // room for any int year, keeping -Wformat-truncation quiet
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  cached_secs = secs;
  cached = buf;
  return cached;
}

}  // namespace kiln
