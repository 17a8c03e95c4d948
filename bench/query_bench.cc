// Query benchmark (issue 4): 1M generated documents (~200 bytes; the shared
// generator in support/datagen.h), queried through the C API:
//   filter: city == "Bogota" AND age > 50, fields name, age
//   top-20: the same + sort score desc, count 20
// each unindexed, then with an index on city (and, last, on score for the
// ordered-index path). Reports median / p90 wall time over repeated runs and
// checks every answer against the generator's expected rows.
//
//   build/release/bench/query_bench [--docs N] [--runs R] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "kiln.h"
#include "support/datagen.h"
#include "support/sysinfo.h"
#include "support/timing.h"

namespace {

struct Options {
  uint64_t docs = 1000000;
  int runs = 25;
  uint64_t seed = 42;
  bool only_indexed = false;  // --only-indexed 1: skip the unindexed runs (profiling)
};

void die(const char* what, kiln_error* err) {
  std::fprintf(stderr, "%s: %s\n", what, kiln_error_message(err));
  std::exit(1);
}

std::string execute(kiln_db* db, const std::string& request) {
  char* out = nullptr;
  size_t len = 0;
  kiln_error* err = nullptr;
  int32_t st = kiln_execute(db, request.data(), request.size(), &out, &len, &err);
  if (st != KILN_OK) die(request.c_str(), err);
  std::string body(out, len);
  kiln_free(out);
  return body;
}

// Keys in answer order, from the response body.
std::vector<std::string> keys_of(const std::string& body) {
  std::vector<std::string> keys;
  for (size_t at = body.find("\"_key\":\""); at != std::string::npos; at = body.find("\"_key\":\"", at + 1)) {
    size_t b = at + 8, e = body.find('"', b);
    keys.push_back(body.substr(b, e - b));
  }
  return keys;
}

struct Timing {
  double median_ms, p90_ms, cpu_ms;
  size_t rows;
};

Timing measure(kiln_db* db, const std::string& request, int runs, const std::vector<kbench::Row>& expected) {
  std::vector<double> ms, cpu;
  std::string body;
  for (int r = 0; r < runs + 2; ++r) {
    kbench::Stopwatch sw;
    body = execute(db, request);
    if (r >= 2) {  // two warm-up runs
      ms.push_back(sw.seconds() * 1000);
      cpu.push_back(sw.cpu_seconds() * 1000);
    }
  }
  std::vector<std::string> keys = keys_of(body);
  bool ok = keys.size() == expected.size();
  for (size_t i = 0; ok && i < keys.size(); ++i) ok = keys[i] == expected[i].key;
  if (!ok) {
    std::fprintf(stderr, "WRONG ANSWER for %s (%zu rows, expected %zu)\n", request.c_str(), keys.size(), expected.size());
    std::exit(2);
  }
  return {kbench::median(ms), kbench::percentile(ms, 0.9), kbench::median(cpu), keys.size()};
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--docs")) o.docs = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--runs")) o.runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--seed")) o.seed = std::strtoull(argv[i + 1], nullptr, 10);
    if (!std::strcmp(argv[i], "--only-indexed")) o.only_indexed = std::atoi(argv[i + 1]) != 0;
  }
  kiln_db* db = nullptr;
  kiln_error* err = nullptr;
  const char* opts = R"({"mode":"memory"})";
  if (kiln_open(nullptr, opts, &db, &err) != KILN_OK) die("open", err);

  kbench::Stopwatch load;
  kbench::Batch batch;
  for (uint64_t first = 0; first < o.docs; first += 1000) {
    uint64_t n = std::min<uint64_t>(1000, o.docs - first);
    kbench::make_batch(o.seed, first, n, batch);
    std::string req = R"({"op":"set","collection":"docs","data":{)";
    for (size_t i = 0; i < batch.keys.size(); ++i) {
      req += i ? ",\"" : "\"";
      req.append(batch.keys[i]);
      req += "\":";
      req.append(batch.json[i]);
    }
    req += "}}";
    execute(db, req);
  }
  std::printf("loaded %llu docs in %.1f s, RSS %.0f MiB\n", static_cast<unsigned long long>(o.docs), load.seconds(),
              static_cast<double>(kbench::rss_bytes()) / (1 << 20));

  kbench::Expected want = kbench::expected_answers(o.seed, o.docs);
  std::string where = R"("where":{"city":")" + std::string(kbench::kQueryCity) + R"(","age":{"$gt":)" +
                      std::to_string(kbench::kQueryMinAge) + "}}";
  std::string filter = R"({"op":"get","collection":"docs",)" + where + R"(,"fields":["name","age"]})";
  std::string top = R"({"op":"get","collection":"docs",)" + where +
                    R"(,"fields":["name","age"],"sort":[{"field":"score","order":"desc"}],"count":)" +
                    std::to_string(kbench::kTopN) + "}";

  auto report = [&](const char* label, const Timing& t) {
    std::printf("%-32s median %8.2f ms  p90 %8.2f ms  cpu (all threads) %8.2f ms  rows %zu\n", label, t.median_ms,
                t.p90_ms, t.cpu_ms, t.rows);
  };
  if (!o.only_indexed) {
    report("filter, unindexed", measure(db, filter, o.runs, want.filter));
    report("top-20, unindexed", measure(db, top, o.runs, want.top));
  }

  kbench::Stopwatch ix;
  execute(db, R"({"op":"index","collection":"docs","field":"city"})");
  std::printf("index on city built in %.0f ms\n", ix.seconds() * 1000);
  report("filter, indexed (city)", measure(db, filter, o.runs, want.filter));
  report("top-20, indexed (city)", measure(db, top, o.runs, want.top));

  execute(db, R"({"op":"drop_index","collection":"docs","field":"city"})");
  ix.restart();
  execute(db, R"({"op":"index","collection":"docs","field":"score"})");
  std::printf("index on score built in %.0f ms\n", ix.seconds() * 1000);
  report("top-20, ordered index (score)", measure(db, top, o.runs, want.top));
  std::printf("peak RSS %.0f MiB\n", static_cast<double>(kbench::peak_rss_bytes()) / (1 << 20));
  kiln_close(db);
  return 0;
}
