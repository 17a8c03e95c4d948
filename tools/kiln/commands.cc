// kiln exec / snapshot / stats / verify / demo.
#include <iostream>
#include <string>

#include "cli.h"
#include "json_text.h"

namespace kiln_cli {

kiln::Database open_db(const std::string& path, const Global& g, bool read_only) {
  std::string options = g.options;
  if (read_only) {
    std::string_view body = trim(options);
    if (body.empty() || body == "{}") {
      options = R"({"read_only":true})";
    } else if (body.find("\"read_only\"") == std::string_view::npos && body.back() == '}') {
      options = std::string(body.substr(0, body.size() - 1)) + R"(,"read_only":true})";
    }
  }
  return kiln::Database::open(path, options);
}

int cmd_exec(const std::string& path, const std::string& request, const Global& g) {
  kiln::Database db = open_db(path, g);
  std::cout << pretty(db.execute(request)) << "\n";
  return 0;
}

int cmd_snapshot(const std::string& path, const Global& g) {
  kiln::Database db = open_db(path, g);
  std::cout << pretty(db.execute(R"({"op":"snapshot"})")) << "\n";
  return 0;
}

int cmd_stats(const std::string& path, const Global& g) {
  kiln::Database db = open_db(path, g, true);
  std::cout << pretty(db.execute(R"({"op":"stats"})")) << "\n";
  return 0;
}

int cmd_verify(const std::string& path) {
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t status = kiln_verify(path.c_str(), &out, &len, &err);
  if (status != KILN_OK) {
    std::cerr << "kiln verify: " << kiln_status_name(status) << ": " << kiln_error_message(err) << "\n";
    kiln_error_free(err);
    return 1;
  }
  std::string report(out, len);
  kiln_free(out);
  std::vector<std::pair<std::string, std::string_view>> members;
  object_members(report, members);
  bool ok = report.find("\"ok\":false") == std::string::npos;
  for (auto& [name, value] : members) {
    std::vector<std::string_view> items;
    if (name == "files" && split_array(value, items)) {
      for (std::string_view f : items) {
        std::vector<std::pair<std::string, std::string_view>> fm;
        object_members(f, fm);
        std::string file, kind, detail;
        bool file_ok = false;
        for (auto& [k, v] : fm) {
          if (k == "file") file = unquote(v);
          if (k == "kind") kind = unquote(v);
          if (k == "detail") detail = unquote(v);
          if (k == "ok") file_ok = v == "true";
        }
        std::cout << (file_ok ? "  ok    " : "  BAD   ") << kind << "  " << file << "  (" << detail << ")\n";
      }
    } else if ((name == "problems" || name == "warnings") && split_array(value, items)) {
      for (std::string_view p : items) std::cout << (name == "problems" ? "problem: " : "warning: ") << unquote(p) << "\n";
    }
  }
  std::cout << (ok ? "verify: OK, every checksum matches\n" : "verify: DAMAGED (see problems above)\n");
  return ok ? 0 : 1;
}

namespace {

void step(const std::string& title) { std::cout << "\n== " << title << " ==\n"; }

void show(kiln::Database& db, const std::string& request) {
  std::cout << "kiln> " << request << "\n";
  try {
    std::cout << pretty(db.execute(request)) << "\n";
  } catch (const kiln::Exception& e) {
    std::cout << "(" << e.status_name() << ": " << e.what() << ")\n";
  }
}

}  // namespace

int cmd_demo(const std::string& path, const Global& g) {
  std::cout << "kilndb " << kiln_version() << " demo — database directory: " << path << "\n"
            << "(sync mode: every write below returns only after it is on disk)\n";
  {
    kiln::Database db = open_db(path, g);
    step("1. Insert some documents (set = insert or replace; _v counts versions)");
    show(db, R"({"op":"set","collection":"laptops","data":{)"
             R"("mbp14":{"brand":"Apple","model":"MacBook Pro 14","price":1999,"ram_gb":16},)"
             R"("xps13":{"brand":"Dell","model":"XPS 13","price":1299,"ram_gb":16},)"
             R"("x1c":{"brand":"Lenovo","model":"ThinkPad X1 Carbon","price":1649,"ram_gb":32},)"
             R"("air13":{"brand":"Apple","model":"MacBook Air 13","price":1099,"ram_gb":8}}})");
    step("2. Read one document by key");
    show(db, R"({"op":"get","collection":"laptops","keys":"mbp14"})");
    step("3. Query: Apple laptops, cheapest first, only some fields");
    show(db, R"({"op":"get","collection":"laptops","where":{"brand":"apple"},"sort":[{"field":"price","order":"asc"}],"fields":["model","price"]})");
    step("4. Partial update (a patch merges; _v goes up)");
    show(db, R"({"op":"update","collection":"laptops","data":{"air13":{"price":999}}})");
    show(db, R"({"op":"get","collection":"laptops","keys":"air13"})");
    step("5. What changed, from the change feed");
    show(db, R"({"op":"changes","since":0,"limit":5})");
    std::cout << "\nClosing the database...\n";
  }
  step("6. Reopen: everything is still there (snapshot + log replay)");
  {
    kiln::Database db = open_db(path, g);
    show(db, R"({"op":"get","collection":"laptops","keys":["mbp14","xps13","x1c","air13"],"fields":["model","price"]})");
    step("7. Compact: write a snapshot, drop the log it covers");
    show(db, R"({"op":"snapshot"})");
    step("8. Statistics");
    show(db, R"({"op":"stats"})");
  }
  step("9. Verify every checksum of every file");
  int rc = cmd_verify(path);
  std::cout << "\nDone. Explore it yourself:  " << g.program << " shell " << path << "\n";
  return rc;
}

}  // namespace kiln_cli
