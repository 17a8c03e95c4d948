// kiln: the kilndb command-line shell and admin tool.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"

namespace {

const char* kUsage = R"(kiln — the kilndb command-line tool (library )";

void usage(std::ostream& out) {
  out << kUsage << kiln_version() << R"()

Usage: kiln [--options JSON] COMMAND [ARGS]      PATH defaults to ./kiln-data

Commands:
  shell [PATH]                       interactive: one JSON request per line (.help inside)
  exec PATH JSON                     run one request, print the pretty-printed response
  import PATH COLLECTION FILE        load documents from NDJSON, a JSON array or CSV
  export PATH COLLECTION FILE        write a collection as NDJSON, a JSON array or CSV
  snapshot PATH                      write a snapshot now (compacts the log)
  stats PATH                         documents, memory, log, snapshot and flush figures
  verify PATH                        check every checksum of every file; exit 1 on damage
  demo [PATH]                        a short guided tour (re-runnable, non-interactive)
  --help                             this text

Options:
  --options JSON   options for kiln_open, e.g. '{"mode":"async"}' (see kiln.h)
  --format F       import/export format: ndjson, json or csv (default: from the
                   file extension; .csv = csv, .json = JSON array, else NDJSON)
  FILE may be "-" for standard input/output.

Requests are MoltenDB-style JSON bodies plus "op", e.g.
  kiln exec ./kiln-data '{"op":"get","collection":"users","keys":"ada"}'
Exit status: 0 ok, 1 failure (or damage found by verify), 2 usage error.
)";
}

}  // namespace

int main(int argc, char** argv) {
  kiln_cli::Global g;
  if (argc > 0 && argv[0]) g.program = argv[0];
  std::string format;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h" || a == "help") {
      usage(std::cout);
      return 0;
    }
    if (a == "--version") {
      std::cout << "kiln " << kiln_version() << "\n";
      return 0;
    }
    if ((a == "--options" || a == "--format") && i + 1 < argc) {
      (a == "--options" ? g.options : format) = argv[++i];
      continue;
    }
    if (a.starts_with("--")) {
      std::cerr << "kiln: unknown flag '" << a << "'\n\n";
      usage(std::cerr);
      return 2;
    }
    args.push_back(a);
  }
  if (args.empty()) {
    usage(std::cerr);
    return 2;
  }
  const std::string& cmd = args[0];
  auto path_at = [&](size_t i) { return args.size() > i ? args[i] : std::string(kiln_cli::kDefaultPath); };
  try {
    if (cmd == "shell" && args.size() <= 2) return kiln_cli::cmd_shell(path_at(1), g);
    if (cmd == "exec" && args.size() == 3) return kiln_cli::cmd_exec(args[1], args[2], g);
    if (cmd == "exec" && args.size() == 2) return kiln_cli::cmd_exec(kiln_cli::kDefaultPath, args[1], g);
    if (cmd == "import" && args.size() == 4) return kiln_cli::cmd_import(args[1], args[2], args[3], format, g);
    if (cmd == "export" && args.size() == 4) return kiln_cli::cmd_export(args[1], args[2], args[3], format, g);
    if (cmd == "snapshot" && args.size() <= 2) return kiln_cli::cmd_snapshot(path_at(1), g);
    if (cmd == "stats" && args.size() <= 2) return kiln_cli::cmd_stats(path_at(1), g);
    if (cmd == "verify" && args.size() <= 2) return kiln_cli::cmd_verify(path_at(1));
    if (cmd == "demo" && args.size() <= 2) return kiln_cli::cmd_demo(path_at(1), g);
  } catch (const kiln::Exception& e) {
    std::cerr << "kiln: " << e.status_name() << ": " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "kiln: " << e.what() << "\n";
    return 1;
  }
  std::cerr << "kiln: bad command line: '" << cmd << "' with " << args.size() - 1 << " argument(s)\n\n";
  usage(std::cerr);
  return 2;
}
