// The `kiln` tool: shared declarations of its commands. Everything here is a
// client of the public C API (kiln.hpp over kiln.h), like any application.
#pragma once

#include <string>
#include <vector>

#include "kiln.hpp"

namespace kiln_cli {

inline constexpr const char* kDefaultPath = "./kiln-data";

struct Global {
  std::string options;  // --options JSON for kiln_open
  std::string program = "kiln";  // how this tool was invoked (argv[0]), for hints
};

// Opens `path` with the global options (plus read_only when asked).
kiln::Database open_db(const std::string& path, const Global& g, bool read_only = false);

int cmd_exec(const std::string& path, const std::string& request, const Global& g);
int cmd_snapshot(const std::string& path, const Global& g);
int cmd_stats(const std::string& path, const Global& g);
int cmd_verify(const std::string& path);
int cmd_demo(const std::string& path, const Global& g);
int cmd_shell(const std::string& path, const Global& g);
int cmd_import(const std::string& path, const std::string& collection, const std::string& file,
               const std::string& format, const Global& g);
int cmd_export(const std::string& path, const std::string& collection, const std::string& file,
               const std::string& format, const Global& g);

// "ndjson", "json" or "csv" from --format or the file name's extension.
std::string detect_format(const std::string& file, const std::string& flag);

}  // namespace kiln_cli
