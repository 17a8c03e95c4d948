#include "wal/record_format.h"

#include <charconv>
#include <cstdio>

namespace kiln::wal {

std::string segment_name(uint64_t first_lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020llu.wal", static_cast<unsigned long long>(first_lsn));
  return buf;
}

bool parse_segment_name(std::string_view name, uint64_t* first_lsn) {
  if (name.size() != 24 || !name.ends_with(".wal")) return false;
  auto [end, ec] = std::from_chars(name.data(), name.data() + 20, *first_lsn);
  return ec == std::errc() && end == name.data() + 20;
}

}  // namespace kiln::wal
