// verify_database: checks every checksum of every file of a database
// directory (snapshot, backups, log segments, archived segments) without
// opening it for writing, and reports what it found as JSON:
//   {"ok":bool,"problems":[text...],"warnings":[text...],"files":[{...}...]}
// A torn tail (the last write before a crash, cut at the next open) is a
// warning; anything else damaged is a problem.
#pragma once

#include <string>

#include "io/file_system.h"

namespace kiln::snapshot {

// Throws only when `path` is not a readable directory.
std::string verify_database(io::FileSystem& fs, const std::string& path);

}  // namespace kiln::snapshot
