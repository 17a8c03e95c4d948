// kiln shell: one request per line (a request may span lines while its
// braces are open), pretty-printed results, dot-commands, history kept in
// ~/.kiln_history (list it with .history; no line editing, by design: no
// readline dependency).
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "cli.h"
#include "json_text.h"

namespace kiln_cli {
namespace {

const char* kShellHelp = R"(Type a JSON request per line, e.g.
  {"op":"set","collection":"users","data":{"ada":{"name":"Ada","age":36}}}
  {"op":"get","collection":"users","where":{"age":{"$gt":30}}}
  {"op":"update","collection":"users","data":{"ada":{"age":37}}}
  {"op":"delete","collection":"users","keys":"ada"}
  {"op":"batch","ops":[ ...write requests... ]}
  {"op":"changes","since":0}   {"op":"stats"}   {"op":"snapshot"}
A request may continue over several lines until its braces close.
Dot-commands:
  .help        this text
  .stats       same as {"op":"stats"}
  .snapshot    same as {"op":"snapshot"}
  .flush       make every write durable now (async mode)
  .history     the requests typed so far (also kept in ~/.kiln_history)
  .quit        leave (also .exit or end of input)
)";

// Net count of open braces/brackets outside strings.
int open_depth(const std::string& s) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return depth;
}

std::string history_path() {
  const char* home = std::getenv("HOME");
  return home ? std::string(home) + "/.kiln_history" : "";
}

void run(kiln::Database& db, const std::string& request) {
  try {
    std::cout << pretty(db.execute(request)) << "\n";
  } catch (const kiln::Exception& e) {
    std::cout << e.status_name() << ": " << e.what() << "\n";
  }
}

}  // namespace

int cmd_shell(const std::string& path, const Global& g) {
  kiln::Database db = open_db(path, g);
  bool interactive = isatty(0);
  std::vector<std::string> history;
  std::string hist_file = history_path();
  std::ofstream hist_out;
  if (interactive && !hist_file.empty()) hist_out.open(hist_file, std::ios::app);
  if (interactive) {
    std::cout << "kilndb " << kiln_version() << " shell on " << path << " — .help for help, .quit to leave\n";
  }
  std::string pending;
  std::string line;
  while (true) {
    if (interactive) std::cout << (pending.empty() ? "kiln> " : "  ... ") << std::flush;
    if (!std::getline(std::cin, line)) break;
    std::string_view t = trim(line);
    if (pending.empty()) {
      if (t.empty()) continue;
      if (t == ".quit" || t == ".exit") break;
      if (t == ".help") {
        std::cout << kShellHelp;
        continue;
      }
      if (t == ".history") {
        for (size_t i = 0; i < history.size(); ++i) std::cout << "  " << i + 1 << "  " << history[i] << "\n";
        continue;
      }
      if (t == ".stats") t = R"({"op":"stats"})";
      else if (t == ".snapshot") t = R"({"op":"snapshot"})";
      else if (t == ".flush") {
        kiln_error* err = nullptr;
        int32_t status = kiln_flush(db.c_handle(), &err);
        std::cout << (status == KILN_OK ? "flushed" : std::string(kiln_status_name(status)) + ": " +
                                                          kiln_error_message(err))
                  << "\n";
        kiln_error_free(err);
        continue;
      } else if (t.front() == '.') {
        std::cout << "Unknown command " << t << " (.help lists them)\n";
        continue;
      }
    }
    pending += pending.empty() ? std::string(t) : "\n" + std::string(t);
    if (open_depth(pending) > 0) continue;
    history.push_back(pending);
    if (hist_out) hist_out << pending << "\n" << std::flush;
    run(db, pending);
    pending.clear();
  }
  if (!pending.empty()) run(db, pending);
  if (interactive) std::cout << "\n";
  return 0;
}

}  // namespace kiln_cli
