// kilndb vs SQLite vs LMDB vs std::unordered_map: the workload of issue 7.
//
// The parent process measures the machine (CPU, cores, fdatasync latency on
// the data directory), then runs every engine in its own child process, once
// per repetition, interleaving the engines so that noise on this shared
// machine spreads over all of them. A child runs the whole workload for one
// engine and prints its measurements as JSON; its RSS figures are therefore
// that engine's alone. The parent reports the median of the repetitions as a
// console table, bench/results/latest.json and bench/results/latest.md.
//
// Every answer is checked against the data generator; a wrong answer (or any
// engine error) fails the run with a nonzero exit status. A kilndb feature
// that has not landed yet ("not available in this build yet") makes its rows
// "n/a (engine feature not landed)": they are never faked.
#include <kiln.h>
#include <lmdb.h>
#include <simdjson.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/check.h"
#include "support/datagen.h"
#include "support/engines.h"
#include "support/report.h"
#include "support/sysinfo.h"
#include "support/timing.h"

#ifndef KBENCH_SOURCE_DIR
#define KBENCH_SOURCE_DIR "."
#endif

namespace kbench {
namespace {

constexpr const char* kNotLanded = "n/a (engine feature not landed)";

struct Config {
  uint64_t n = 1000000;
  int reps = 3;
  uint64_t gets = 200000;
  int singles = 2000;
  int threads = 8;
  int query_reps = 5;
  uint64_t seed = 7;
  int fsync_probes = 300;
  std::vector<std::string> engines = {"kilndb", "sqlite", "lmdb", "map"};
  std::string dir = "/var/tmp/kilndb-bench";
  std::string out = "bench/results";
  bool keep = false;
  bool inject_wrong = false;  // self-test: the checker must fail the run
  // internal: run one engine once and print JSON
  std::string child_engine;
  int child_rep = 0;
};

[[noreturn]] void usage(const std::string& msg) {
  std::cerr << "kiln_vs_peers_bench: " << msg << "\n"
            << "usage: kiln_vs_peers_bench [--n N] [--reps R] [--gets G] [--singles S] [--threads T]\n"
            << "         [--query-reps Q] [--seed X] [--engines kilndb,sqlite,lmdb,map] [--dir DATA_DIR]\n"
            << "         [--out RESULTS_DIR] [--fsync-probes P] [--keep] [--self-test-wrong-answer]\n"
            << "  --self-test-wrong-answer drops one row from the expected answers: the run must then fail.\n";
  std::exit(64);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string part;
  while (std::getline(ss, part, sep)) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

Config parse_args(int argc, char** argv) {
  Config c;
  auto num = [&](int& i) -> uint64_t {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    std::string v = argv[++i];
    try {
      size_t used = 0;
      unsigned long long x = std::stoull(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
      return x;
    } catch (...) {
      usage("bad number '" + v + "'");
    }
  };
  auto str = [&](int& i) -> std::string {
    if (i + 1 >= argc) usage(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--n") c.n = num(i);
    else if (a == "--reps") c.reps = static_cast<int>(num(i));
    else if (a == "--gets") c.gets = num(i);
    else if (a == "--singles") c.singles = static_cast<int>(num(i));
    else if (a == "--threads") c.threads = static_cast<int>(num(i));
    else if (a == "--query-reps") c.query_reps = static_cast<int>(num(i));
    else if (a == "--seed") c.seed = num(i);
    else if (a == "--fsync-probes") c.fsync_probes = static_cast<int>(num(i));
    else if (a == "--engines") c.engines = split(str(i), ',');
    else if (a == "--dir") c.dir = str(i);
    else if (a == "--out") c.out = str(i);
    else if (a == "--keep") c.keep = true;
    else if (a == "--self-test-wrong-answer") c.inject_wrong = true;
    else if (a == "--child") c.child_engine = str(i);
    else if (a == "--rep") c.child_rep = static_cast<int>(num(i));
    else if (a == "--help" || a == "-h") usage("help");
    else usage("unknown flag '" + a + "'");
  }
  if (c.n < 1000) usage("--n must be at least 1000");
  if (c.reps < 1 || c.query_reps < 1 || c.threads < 1 || c.singles < c.threads) usage("bad repetition counts");
  for (const auto& e : c.engines) {
    if (!make_engine(e, EngineOptions{c.n})) usage("unknown engine '" + e + "'");
  }
  return c;
}

// ---- The child: one engine, one repetition -----------------------------

// One measurement: a value, or why there is none.
struct Measure {
  double value = NAN;
  double cpu = NAN;   // the same quantity computed from process CPU time
  std::string na;     // "" when measured
  std::string detail; // the engine's message for n/a
};

class ChildRun {
 public:
  ChildRun(const Config& c, Engine& e) : c_(c), e_(e) {}

  void run() {
    std::string root = c_.dir + "/" + e_.name();
    remove_tree(root);
    make_dirs(root);
    main_dir_ = root + "/main";

    log("generating expected answers");
    expected_ = expected_answers(c_.seed, c_.n);
    if (c_.inject_wrong && !expected_.filter.empty()) expected_.filter.pop_back();
    info_["raw_json_bytes"] = static_cast<double>(expected_.raw_json_bytes);
    info_["filter_matches"] = static_cast<double>(expected_.filter.size());

    // Durable singles first, into their own fresh database, while nothing
    // else runs in this process (no background work of a loaded main
    // database competing for the disk). The disk's fsync latency swings
    // (other tenants' I/O), so it is probed right before, under the same
    // conditions.
    FsyncProbe append = probe_fdatasync(root, c_.fsync_probes, true);
    FsyncProbe overwrite = probe_fdatasync(root, c_.fsync_probes, false);
    info_["fsync_append_per_s"] = append.rate_per_s;
    info_["fsync_overwrite_per_s"] = overwrite.rate_per_s;
    log("fdatasync probe: append " + fixed(append.rate_per_s, 0) + "/s, overwrite " + fixed(overwrite.rate_per_s, 0) + "/s");
    singles("single1", 1);
    singles("single8", c_.threads);
    remove_tree(root + "/single1");
    remove_tree(root + "/single8");

    bulk();
    gets();
    query_rows("filter", "top", "unindexed");
    index_rows();
    close_and_reopen();
    measure("rss_peak", [&] { return static_cast<double>(peak_rss_bytes()); });
    if (!c_.keep) remove_tree(root);
  }

  std::string json() const {
    JsonWriter w;
    w.begin_object().key("engine").value(e_.name()).key("rep").value(c_.child_rep);
    w.key("metrics").begin_object();
    for (const auto& [id, m] : metrics_) {
      w.key(id).begin_object();
      if (m.na.empty()) {
        w.key("value").value(m.value);
        if (std::isfinite(m.cpu)) w.key("cpu").value(m.cpu);
      } else {
        w.key("na").value(m.na).key("detail").value(m.detail);
      }
      w.end_object();
    }
    w.end_object().key("notes").begin_object();
    for (const auto& [k, v] : notes_) w.key(k).value(v);
    w.end_object().key("info").begin_object();
    for (const auto& [k, v] : info_) w.key(k).value(v);
    return w.end_object().end_object().str();
  }

 private:
  void log(const std::string& msg) const {
    std::fprintf(stderr, "  [%s rep %d] %s\n", e_.name().c_str(), c_.child_rep, msg.c_str());
  }

  // Runs fn, recording its value or the reason it has none. Failures propagate.
  void measure(const std::string& id, const std::function<double()>& fn) {
    Measure m;
    cpu_ = NAN;
    try {
      m.value = fn();
      m.cpu = cpu_;
    } catch (const NotLanded& ex) {
      m.na = kNotLanded;
      m.detail = ex.what();
    } catch (const NotSupported& ex) {
      m.na = std::string("n/a (") + ex.what() + ")";
    }
    if (m.na.empty()) {
      log(id + " = " + fixed(m.value, 3));
    } else {
      log(id + ": " + m.na + (m.detail.empty() ? "" : " [" + m.detail + "]"));
    }
    metrics_[id] = m;
  }
  void skip(const std::string& id, const Measure& because) {
    metrics_[id] = because;
  }
  bool measured(const std::string& id) const {
    auto it = metrics_.find(id);
    return it != metrics_.end() && it->second.na.empty();
  }

  void bulk() {
    info_["rss_before_open"] = static_cast<double>(rss_bytes());
    e_.open_bulk(main_dir_);
    notes_["bulk"] = e_.bulk_durability();
    info_["persistent"] = e_.persistent() ? 1 : 0;
    measure("bulk", [&] {
      Batch batch;
      Accumulator timed;  // only the engine calls: generating the batch is not timed
      for (uint64_t first = 0; first < c_.n; first += 1000) {
        make_batch(c_.seed, first, std::min<uint64_t>(1000, c_.n - first), batch);
        timed.start();
        e_.put_batch(batch);
        timed.stop();
      }
      timed.start();
      e_.end_bulk();
      timed.stop();
      cpu_ = static_cast<double>(c_.n) / timed.cpu_seconds();
      return static_cast<double>(c_.n) / timed.seconds();
    });
    measure("rss_load", [&] { return static_cast<double>(rss_bytes()); });
  }

  // Random gets; the caller receives each document as its own JSON text.
  // Results are kept (unfreed) for a chunk of 10,000, then checked and freed
  // outside the timed section.
  void gets() {
    std::vector<uint64_t> idx = random_indexes(c_.seed, c_.n, c_.gets);
    reopen_index_ = idx.empty() ? 0 : idx[0];
    measure("get", [&] {
      constexpr size_t kChunk = 10000;
      std::vector<std::string> keys;
      std::vector<OwnedText> outs(kChunk);
      Accumulator timed;
      for (size_t start = 0; start < idx.size(); start += kChunk) {
        size_t n = std::min(kChunk, idx.size() - start);
        keys.clear();
        for (size_t j = 0; j < n; ++j) keys.push_back(doc_key(idx[start + j]));
        timed.start();
        for (size_t j = 0; j < n; ++j) outs[j] = e_.get(keys[j]);
        timed.stop();
        for (size_t j = 0; j < n; ++j) {
          check_document(c_.seed, idx[start + j], outs[j].view(), e_.name().c_str());
          outs[j].reset();
        }
      }
      cpu_ = static_cast<double>(idx.size()) / timed.cpu_seconds();
      return static_cast<double>(idx.size()) / timed.seconds();
    });
  }

  double timed_query(QueryKind kind, const std::string& what, double* cpu_ms = nullptr) {
    Stopwatch sw;
    Answer a = e_.query(kind);
    double ms = sw.seconds() * 1e3;
    if (cpu_ms) *cpu_ms = sw.cpu_seconds() * 1e3;
    bool top = kind == QueryKind::kTop;
    check_rows(answer_rows(a), top ? expected_.top : expected_.filter, top, e_.name() + " " + what);
    a.json.reset();
    return ms;
  }

  double median_query(QueryKind kind, const std::string& what) {
    std::vector<double> ms, cpu;
    for (int r = 0; r < c_.query_reps; ++r) {
      double c = NAN;
      ms.push_back(timed_query(kind, what, &c));
      cpu.push_back(c);
    }
    cpu_ = median(cpu);
    return median(ms);
  }

  void query_rows(const std::string& filter_id, const std::string& top_id, const std::string& label) {
    measure(filter_id, [&] { return median_query(QueryKind::kFilter, label + " filter"); });
    measure(top_id, [&] { return median_query(QueryKind::kTop, label + " top-20"); });
  }

  void index_rows() {
    measure("index_build", [&] {
      Stopwatch sw;
      e_.create_city_index();
      return sw.seconds() * 1e3;
    });
    if (measured("index_build")) {
      query_rows("filter_idx", "top_idx", "indexed");
    } else {
      skip("filter_idx", metrics_["index_build"]);
      skip("top_idx", metrics_["index_build"]);
    }
  }

  void singles(const std::string& id, int threads) {
    std::string dir = c_.dir + "/" + e_.name() + "/" + id;
    // The documents are generated before the clock starts.
    Batch docs;
    make_batch(c_.seed ^ 0x51, 0, static_cast<uint64_t>(c_.singles), docs, id == "single1" ? "one" : "many");
    bool opened = false;
    measure(id, [&] {
      e_.open_singles(dir, threads);
      opened = true;
      notes_["singles"] = e_.singles_durability();
      std::atomic<bool> go{false};
      std::vector<std::exception_ptr> errors(static_cast<size_t>(threads));
      std::vector<std::thread> pool;
      size_t per = docs.keys.size() / static_cast<size_t>(threads);
      for (int t = 0; t < threads; ++t) {
        size_t from = per * static_cast<size_t>(t);
        size_t to = t + 1 == threads ? docs.keys.size() : from + per;
        pool.emplace_back([&, t, from, to] {
          while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
          try {
            for (size_t i = from; i < to; ++i) e_.put_single(t, docs.keys[i], docs.json[i]);
          } catch (...) {
            errors[static_cast<size_t>(t)] = std::current_exception();
          }
        });
      }
      Stopwatch sw;
      go.store(true, std::memory_order_release);
      for (auto& th : pool) th.join();
      double s = sw.seconds();
      for (auto& ex : errors) {
        if (ex) std::rethrow_exception(ex);
      }
      return static_cast<double>(docs.keys.size()) / s;
    });
    if (opened) e_.close_singles();
  }

  void close_and_reopen() {
    if (!e_.persistent()) {
      Measure m;
      m.na = e_.name() == "kilndb" ? kNotLanded : "n/a (" + e_.not_persistent_reason() + ")";
      if (e_.name() == "kilndb") m.detail = "bulk load ran in memory mode: async/sync modes not available";
      for (const char* id : {"close", "reopen", "first_query", "disk"}) skip(id, m);
      info_["disk_allocated"] = NAN;
      return;
    }
    measure("close", [&] {
      Stopwatch sw;
      e_.close();
      return sw.seconds() * 1e3;
    });
    DiskUsage du = disk_usage(main_dir_);
    measure("disk", [&] { return static_cast<double>(du.bytes); });
    info_["disk_allocated"] = static_cast<double>(du.allocated);
    // kilndb's current snapshot file alone (the directory also keeps backups
    // of earlier snapshots and the log written since).
    DiskUsage snap = disk_usage(main_dir_ + "/snapshot");
    if (snap.bytes) info_["snapshot_bytes"] = static_cast<double>(snap.bytes);
    measure("reopen", [&] {
      std::string key = doc_key(reopen_index_);
      Stopwatch sw;
      e_.reopen(main_dir_);
      OwnedText t = e_.get(key);
      double ms = sw.seconds() * 1e3;
      cpu_ = sw.cpu_seconds() * 1e3;
      check_document(c_.seed, reopen_index_, t.view(), e_.name().c_str());
      t.reset();
      return ms;
    });
    measure("first_query", [&] { return timed_query(QueryKind::kFilter, "first filter after reopen"); });
    e_.close();
  }

  const Config& c_;
  Engine& e_;
  std::string main_dir_;
  Expected expected_;
  uint64_t reopen_index_ = 0;
  double cpu_ = NAN;  // set by a measured section that also has a CPU-time figure
  std::map<std::string, Measure> metrics_;
  std::map<std::string, std::string> notes_;
  std::map<std::string, double> info_;
};

int run_child(const Config& c) {
  try {
    std::unique_ptr<Engine> e = make_engine(c.child_engine, EngineOptions{c.n});
    ChildRun run(c, *e);
    run.run();
    std::cout << run.json() << std::endl;
    return 0;
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "FAILED [%s rep %d]: %s\n", c.child_engine.c_str(), c.child_rep, ex.what());
    return 2;
  }
}

// ---- The parent: machine facts, children, medians, report ---------------

struct Series {
  std::vector<double> values, cpu;
  std::string na, detail;
  double med() const { return na.empty() ? median(values) : NAN; }
  double med_cpu() const { return na.empty() && cpu.size() == values.size() ? median(cpu) : NAN; }
};

struct EngineResults {
  std::map<std::string, Series> metrics;
  std::map<std::string, std::string> notes;
  std::map<std::string, std::vector<double>> info;  // one value per repetition
  double info_med(const std::string& k) const {
    auto it = info.find(k);
    return it == info.end() ? NAN : median(it->second);
  }
};

std::optional<std::string> spawn_child(const Config& c, const std::string& engine, int rep, char** argv) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<std::string> args = {argv[0], "--child", engine, "--rep", std::to_string(rep),
                                     "--n", std::to_string(c.n), "--gets", std::to_string(c.gets),
                                     "--singles", std::to_string(c.singles), "--threads", std::to_string(c.threads),
                                     "--query-reps", std::to_string(c.query_reps), "--seed", std::to_string(c.seed),
                                     "--fsync-probes", std::to_string(c.fsync_probes), "--dir", c.dir};
    if (c.keep) args.push_back("--keep");
    if (c.inject_wrong) args.push_back("--self-test-wrong-answer");
    std::vector<char*> cargs;
    for (auto& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    ::execv("/proc/self/exe", cargs.data());
    std::perror("execv");
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t r;
  while ((r = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(r));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return out;
}

void absorb(EngineResults& into, const std::string& child_json) {
  simdjson::dom::parser p;
  simdjson::dom::element root = p.parse(child_json);
  for (auto [id, m] : root["metrics"].get_object()) {
    Series& s = into.metrics[std::string(id)];
    std::string_view na;
    if (m["na"].get(na) == simdjson::SUCCESS) {
      s.na = na;
      std::string_view d;
      if (m["detail"].get(d) == simdjson::SUCCESS) s.detail = d;
    } else {
      double v = NAN;
      if (m["value"].get(v) != simdjson::SUCCESS) v = NAN;  // null: not finite
      s.values.push_back(v);
      double cpu;
      if (m["cpu"].get(cpu) == simdjson::SUCCESS) s.cpu.push_back(cpu);
    }
  }
  for (auto [k, v] : root["notes"].get_object()) into.notes[std::string(k)] = std::string(v.get_string().value());
  for (auto [k, v] : root["info"].get_object()) {
    double d = NAN;
    if (v.get(d) != simdjson::SUCCESS) d = NAN;
    into.info[std::string(k)].push_back(d);
  }
}

// How one row is shown and judged.
struct RowDef {
  std::string id;
  std::string label;
  enum Kind { kRate, kMs, kBytes } kind;
  bool higher_better;
  std::string target;  // text; "" = informational row
};

const std::vector<RowDef>& row_defs() {
  static const std::vector<RowDef> rows = {
      {"bulk", "bulk insert, batches of 1000 (docs/s)", RowDef::kRate, true, "≥ 1 M/s (async mode)"},
      {"single1", "durable insert, 1 writer (inserts/s)", RowDef::kRate, true, "≥ 90% of fdatasync rate"},
      {"single8", "durable insert, 8 writers (inserts/s)", RowDef::kRate, true, "≥ 5× kilndb 1 writer"},
      {"get", "random get by key, JSON text (gets/s)", RowDef::kRate, true, "≥ 3 M/s"},
      {"filter", "city=Bogota AND age>50, fields name,age, no index (ms)", RowDef::kMs, false, "≤ 40 ms"},
      {"top", "same, sort score desc, first 20, no index (ms)", RowDef::kMs, false, "≤ 40 ms"},
      {"index_build", "create index on city (ms)", RowDef::kMs, false, ""},
      {"filter_idx", "filter, index on city (ms)", RowDef::kMs, false, "≤ 5 ms"},
      {"top_idx", "top-20, index on city (ms)", RowDef::kMs, false, "≤ 40 ms"},
      {"close", "close (ms)", RowDef::kMs, false, ""},
      {"reopen", "reopen: open + first get (ms)", RowDef::kMs, false, "≤ 1000 ms"},
      {"first_query", "first filter query after reopen (ms)", RowDef::kMs, false, ""},
      {"disk", "bytes on disk after close (all files)", RowDef::kBytes, false, "snapshot ≤ 40% of raw JSON"},
      {"rss_load", "RSS after load", RowDef::kBytes, false, "≤ 1.5× raw JSON"},
      {"rss_peak", "peak RSS (whole run)", RowDef::kBytes, false, ""},
  };
  return rows;
}

bool has_kiln_results(const std::map<std::string, EngineResults>& r) { return r.count("kilndb") > 0; }

std::string engine_title(const std::string& e) {
  if (e == "kilndb") return "kilndb";
  if (e == "sqlite") return "SQLite";
  if (e == "lmdb") return "LMDB";
  if (e == "map") return "unordered_map";
  return e;
}

std::string format_value(const RowDef& r, double v) {
  if (!std::isfinite(v)) return "n/a";
  switch (r.kind) {
    case RowDef::kRate: return human_count(v) + "/s";
    case RowDef::kMs: return fixed(v, v < 10 ? 2 : v < 100 ? 1 : 0);
    case RowDef::kBytes: return mib(v);
  }
  return "?";
}

struct Judgement {
  std::string text;   // "met", "MISSED", "n/a"
  std::string detail; // e.g. "31% of raw"
  bool judged = false;
  bool met = false;
};

Judgement judge(const RowDef& r, const EngineResults& k, double fsync_rate, double raw) {
  Judgement j;
  if (r.target.empty()) return j;
  auto it = k.metrics.find(r.id);
  double v = it == k.metrics.end() ? NAN : it->second.med();
  if (!std::isfinite(v)) {
    j.text = "n/a";
    return j;
  }
  j.judged = true;
  if (r.id == "bulk") {
    j.met = v >= 1e6;
    auto mode = k.notes.find("bulk");
    if (mode != k.notes.end() && mode->second.rfind("memory", 0) == 0) j.detail = "memory mode, not async";
  } else if (r.id == "single1") {
    j.met = v >= 0.9 * fsync_rate;
    j.detail = fixed(100 * v / fsync_rate, 0) + "% of " + human_count(fsync_rate) + "/s";
  } else if (r.id == "single8") {
    double one = k.metrics.count("single1") ? k.metrics.at("single1").med() : NAN;
    if (!std::isfinite(one)) {
      j.judged = false;
      j.text = "n/a";
      return j;
    }
    j.met = v >= 5 * one;
    j.detail = fixed(v / one, 1) + "× 1 writer";
  } else if (r.id == "get") {
    j.met = v >= 3e6;
  } else if (r.id == "filter" || r.id == "top" || r.id == "top_idx") {
    j.met = v <= 40;
  } else if (r.id == "filter_idx") {
    j.met = v <= 5;
  } else if (r.id == "reopen") {
    j.met = v <= 1000;
  } else if (r.id == "disk") {
    double snap = k.info_med("snapshot_bytes");
    if (std::isfinite(snap)) {
      j.met = snap <= 0.4 * raw;
      j.detail = "snapshot file " + fixed(100 * snap / raw, 0) + "% of raw; all files " + fixed(100 * v / raw, 0) + "%";
    } else {
      j.met = v <= 0.4 * raw;
      j.detail = "no snapshot file; all files " + fixed(100 * v / raw, 0) + "% of raw";
    }
  } else if (r.id == "rss_load") {
    j.met = v <= 1.5 * raw;
    j.detail = fixed(v / raw, 2) + "× raw";
  }
  j.text = j.met ? "met" : "MISSED";
  return j;
}

std::string lmdb_version() {
  return std::to_string(MDB_VERSION_MAJOR) + "." + std::to_string(MDB_VERSION_MINOR) + "." +
         std::to_string(MDB_VERSION_PATCH);
}

std::string simdjson_version() {
  return std::to_string(simdjson::SIMDJSON_VERSION_MAJOR) + "." + std::to_string(simdjson::SIMDJSON_VERSION_MINOR) +
         "." + std::to_string(simdjson::SIMDJSON_VERSION_REVISION);
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", std::gmtime(&t));
  return buf;
}

int run_parent(const Config& c, int argc, char** argv) {
  make_dirs(c.dir);
  make_dirs(c.out);
  std::string command;
  if (const char* cmd = std::getenv("KILN_BENCH_COMMAND")) {
    command = cmd;
  } else {
    for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  }
  MachineFacts facts = machine_facts(c.dir);
  std::string git = command_line_output("git -C " KBENCH_SOURCE_DIR " describe --always --dirty");
  std::string compiler = __VERSION__;
  std::printf("kilndb benchmark — issue 7 workload\n");
  std::printf("  command : %s\n", command.c_str());
  std::printf("  date    : %s   source: %s\n", now_utc().c_str(), git.c_str());
  std::printf("  cpu     : %s, %u logical cores, %s RAM; %s\n", facts.cpu_model.c_str(), facts.cores,
              mib(static_cast<double>(facts.mem_total_bytes)).c_str(), facts.kernel.c_str());
  std::printf("  load    : %s (shared machine)\n", facts.load_avg.c_str());
  std::printf("  versions: kilndb %s, SQLite %s, LMDB %s, simdjson %s, %s\n", kiln_version(), sqlite3_libversion(),
              lmdb_version().c_str(), simdjson_version().c_str(), compiler.c_str());
  std::printf("  data dir: %s on %s\n", c.dir.c_str(), facts.data_fs.c_str());
  std::fflush(stdout);
  FsyncProbe fs_append = probe_fdatasync(c.dir, c.fsync_probes, true);
  FsyncProbe fs_over = probe_fdatasync(c.dir, c.fsync_probes, false);
  const FsyncProbe& fs = fs_append;
  auto probe_text = [](const FsyncProbe& p) {
    return "median " + fixed(p.median_us, 0) + " µs, p90 " + fixed(p.p90_us, 0) + " µs → " + fixed(p.rate_per_s, 0) +
           " syncs/s";
  };
  std::printf("  fdatasync at start, 256 B records, %d probes each: append to a growing file (WAL-like): %s;\n"
              "            overwrite in a preallocated file: %s (probed again in every child before its durable rows)\n",
              fs.count, probe_text(fs_append).c_str(), probe_text(fs_over).c_str());
  std::printf("  workload: N=%llu docs, %llu gets, %d durable singles, %d writer threads, %d reps (queries: median "
              "of %d per rep), seed %llu\n\n",
              static_cast<unsigned long long>(c.n), static_cast<unsigned long long>(c.gets), c.singles, c.threads,
              c.reps, c.query_reps, static_cast<unsigned long long>(c.seed));
  std::fflush(stdout);

  std::map<std::string, EngineResults> results;
  Stopwatch total;
  for (int rep = 1; rep <= c.reps; ++rep) {
    for (const auto& e : c.engines) {
      std::fprintf(stderr, "rep %d/%d: %s\n", rep, c.reps, e.c_str());
      std::optional<std::string> out = spawn_child(c, e, rep, argv);
      if (!out) {
        std::fprintf(stderr, "\nBENCHMARK FAILED: %s (rep %d) exited with an error (see above)\n", e.c_str(), rep);
        return 1;
      }
      try {
        absorb(results[e], *out);
      } catch (const std::exception& ex) {
        std::fprintf(stderr, "BENCHMARK FAILED: cannot read %s's results: %s\n", e.c_str(), ex.what());
        return 1;
      }
    }
  }
  std::string load_after = command_line_output("cat /proc/loadavg");

  double raw = NAN;
  double matches = NAN;
  double rss_base = NAN;
  std::vector<double> probes_append, probes_over;
  for (const auto& [e, r] : results) {
    if (r.info.count("raw_json_bytes")) raw = r.info_med("raw_json_bytes");
    if (r.info.count("filter_matches")) matches = r.info_med("filter_matches");
    if (r.info.count("rss_before_open")) rss_base = r.info_med("rss_before_open");
    for (const char* key : {"fsync_append_per_s", "fsync_overwrite_per_s"}) {
      auto it = r.info.find(key);
      if (it == r.info.end()) continue;
      auto& into = std::string(key) == "fsync_append_per_s" ? probes_append : probes_over;
      into.insert(into.end(), it->second.begin(), it->second.end());
    }
  }
  // The durable-insert target is judged against the probe the kilndb child
  // took right before its own durable rows (median over repetitions).
  double fsync_ref = has_kiln_results(results) ? results.at("kilndb").info_med("fsync_append_per_s") : NAN;
  if (!std::isfinite(fsync_ref)) fsync_ref = fs_append.rate_per_s;
  const bool has_kiln = results.count("kilndb") > 0;
  const EngineResults empty;
  const EngineResults& k = has_kiln ? results.at("kilndb") : empty;

  std::vector<std::string> header = {"row"};
  for (const auto& e : c.engines) header.push_back(engine_title(e));
  std::vector<std::string> peers;
  for (const auto& e : c.engines) {
    if (e != "kilndb" && has_kiln) {
      peers.push_back(e);
      header.push_back("kilndb ÷ " + engine_title(e));
    }
  }
  header.push_back("better");
  header.push_back("target (kilndb)");
  header.push_back("kilndb vs target");
  Table table(header);

  JsonWriter jw;
  jw.begin_object();
  jw.key("command").value(command).key("date").value(now_utc()).key("source").value(git);
  jw.key("machine").begin_object()
      .key("cpu").value(facts.cpu_model).key("cores").value(static_cast<uint64_t>(facts.cores))
      .key("mem_bytes").value(facts.mem_total_bytes).key("kernel").value(facts.kernel)
      .key("load_before").value(facts.load_avg).key("load_after").value(load_after)
      .key("data_dir").value(facts.data_dir).key("data_fs").value(facts.data_fs)
      .key("fdatasync_append_median_us").value(fs_append.median_us)
      .key("fdatasync_append_p90_us").value(fs_append.p90_us)
      .key("fdatasync_overwrite_median_us").value(fs_over.median_us)
      .key("fdatasync_overwrite_p90_us").value(fs_over.p90_us)
      .key("fdatasync_probes").value(fs.count)
      .key("fdatasync_append_per_s_children_median").value(median(probes_append))
      .key("fdatasync_overwrite_per_s_children_median").value(median(probes_over))
      .key("fdatasync_reference_per_s").value(fsync_ref)
      .key("compiler").value(compiler)
      .end_object();
  jw.key("versions").begin_object()
      .key("kilndb").value(kiln_version()).key("sqlite").value(sqlite3_libversion())
      .key("lmdb").value(lmdb_version()).key("simdjson").value(simdjson_version())
      .end_object();
  jw.key("config").begin_object()
      .key("n").value(c.n).key("reps").value(c.reps).key("gets").value(c.gets).key("singles").value(c.singles)
      .key("threads").value(c.threads).key("query_reps").value(c.query_reps).key("seed").value(c.seed)
      .key("raw_json_bytes").value(raw).key("filter_matches").value(matches)
      .end_object();
  jw.key("rows").begin_array();

  int missed = 0, met = 0;
  for (const RowDef& r : row_defs()) {
    std::vector<std::string> cells = {r.label};
    jw.begin_object().key("id").value(r.id).key("label").value(r.label);
    jw.key("higher_is_better").value(r.higher_better).key("target").value(r.target);
    jw.key("engines").begin_object();
    for (const auto& e : c.engines) {
      const EngineResults& er = results[e];
      auto it = er.metrics.find(r.id);
      jw.key(e).begin_object();
      if (it == er.metrics.end()) {
        cells.push_back("n/a");
        jw.key("na").value("not measured");
      } else if (!it->second.na.empty()) {
        cells.push_back(it->second.na);
        jw.key("na").value(it->second.na).key("detail").value(it->second.detail);
      } else {
        cells.push_back(format_value(r, it->second.med()));
        jw.key("median").value(it->second.med()).key("values").begin_array();
        for (double v : it->second.values) jw.value(v);
        jw.end_array();
        if (std::isfinite(it->second.med_cpu())) {
          jw.key("cpu_median").value(it->second.med_cpu()).key("cpu_values").begin_array();
          for (double v : it->second.cpu) jw.value(v);
          jw.end_array();
        }
      }
      jw.end_object();
    }
    jw.end_object();
    jw.key("ratios").begin_object();
    for (const auto& p : peers) {
      double kv = k.metrics.count(r.id) ? k.metrics.at(r.id).med() : NAN;
      double pv = results[p].metrics.count(r.id) ? results[p].metrics.at(r.id).med() : NAN;
      double ratio = kv / pv;
      cells.push_back(std::isfinite(ratio) ? fixed(ratio, ratio < 0.1 ? 3 : 2) + "×" : "—");
      jw.key(p).value(ratio);
    }
    jw.end_object();
    cells.push_back(r.higher_better ? "higher" : "lower");
    cells.push_back(r.target.empty() ? "—" : r.target);
    Judgement j = has_kiln ? judge(r, k, fsync_ref, raw) : Judgement{};
    std::string verdict = j.text.empty() ? "—" : j.text;
    if (!j.detail.empty()) verdict += " (" + j.detail + ")";
    cells.push_back(verdict);
    if (j.judged) (j.met ? met : missed)++;
    jw.key("verdict").value(j.text).key("verdict_detail").value(j.detail);
    jw.end_object();
    table.add(cells);
  }
  jw.end_array();

  // The CPU-time view: the same rows computed from process CPU time, which
  // waiting for a core on this shared machine does not inflate.
  std::vector<std::string> cpu_header = {"row (from process CPU time)"};
  for (const auto& e : c.engines) cpu_header.push_back(engine_title(e));
  for (const auto& p : peers) cpu_header.push_back("kilndb ÷ " + engine_title(p));
  Table cpu_table(cpu_header);
  for (const RowDef& r : row_defs()) {
    bool any = false;
    std::vector<std::string> cells = {r.label};
    for (const auto& e : c.engines) {
      auto it = results[e].metrics.find(r.id);
      double v = it == results[e].metrics.end() ? NAN : it->second.med_cpu();
      any = any || std::isfinite(v);
      cells.push_back(std::isfinite(v) ? format_value(r, v) : "—");
    }
    for (const auto& p : peers) {
      double kv = k.metrics.count(r.id) ? k.metrics.at(r.id).med_cpu() : NAN;
      double pv = results[p].metrics.count(r.id) ? results[p].metrics.at(r.id).med_cpu() : NAN;
      double ratio = kv / pv;
      cells.push_back(std::isfinite(ratio) ? fixed(ratio, ratio < 0.1 ? 3 : 2) + "×" : "—");
    }
    if (any) cpu_table.add(cells);
  }

  // Durability of every configuration, as the engines ran.
  Table dur({"engine", "bulk insert", "durable singles", "reads / queries"}, false);
  jw.key("durability").begin_object();
  for (const auto& e : c.engines) {
    const EngineResults& er = results[e];
    auto note = [&](const char* key, const std::string& metric) {
      auto it = er.notes.find(key);
      if (it != er.notes.end()) return it->second;
      auto m = er.metrics.find(metric);
      return m != er.metrics.end() && !m->second.na.empty() ? m->second.na : std::string("—");
    };
    std::string reads = e == "map" ? "in-process memory" : e == "kilndb" ? "from RAM (the store)" : "from the engine's files via the OS page cache";
    dur.add({engine_title(e), note("bulk", "bulk"), note("singles", "single1"), reads});
    jw.key(e).begin_object().key("bulk").value(note("bulk", "bulk")).key("singles").value(note("singles", "single1")).end_object();
  }
  jw.end_object();
  jw.key("targets_met").value(met).key("targets_missed").value(missed);
  jw.key("elapsed_s").value(total.seconds());
  jw.end_object();

  std::string na_notes;
  for (const auto& e : c.engines) {
    for (const auto& [id, s] : results[e].metrics) {
      if (!s.detail.empty()) na_notes += "- " + engine_title(e) + " `" + id + "`: " + s.detail + "\n";
    }
  }

  std::ostringstream facts_md;
  facts_md << "- command: `" << command << "`\n"
           << "- date: " << now_utc() << "; source: `" << git << "`\n"
           << "- CPU: " << facts.cpu_model << ", " << facts.cores << " logical cores; RAM "
           << mib(static_cast<double>(facts.mem_total_bytes)) << "; " << facts.kernel << "\n"
           << "- load average before / after: " << facts.load_avg << " / " << load_after << " (shared machine)\n"
           << "- data directory: `" << c.dir << "` on " << facts.data_fs << "\n"
           << "- fdatasync on the data directory (256 B records, " << fs.count << " probes per probe run). At start: "
           << "appending to a growing file (what a WAL commit does) " << probe_text(fs_append)
           << "; overwriting a preallocated file " << probe_text(fs_over) << ". Re-probed in every child right before "
           << "its durable rows, because this shared disk swings between ~0.1 ms and ~4 ms per sync: append median of "
           << "all children " << fixed(median(probes_append), 0) << "/s (range " << fixed(probes_append.empty() ? NAN : *std::min_element(probes_append.begin(), probes_append.end()), 0)
           << "–" << fixed(probes_append.empty() ? NAN : *std::max_element(probes_append.begin(), probes_append.end()), 0)
           << "), overwrite " << fixed(median(probes_over), 0) << "/s. The kilndb durable-insert target (≥ 90%) is "
           << "judged against the append probe of the kilndb children: " << fixed(fsync_ref, 0) << "/s\n"
           << "- versions: kilndb " << kiln_version() << ", SQLite " << sqlite3_libversion() << ", LMDB "
           << lmdb_version() << ", simdjson " << simdjson_version() << ", compiler " << compiler << "\n"
           << "- workload: N = " << c.n << " documents (" << mib(raw) << " of raw JSON, " << fixed(raw / static_cast<double>(c.n), 0)
           << " B/doc), " << c.gets << " random gets, " << c.singles << " durable single inserts, " << c.threads
           << " writer threads, filter matches " << fixed(matches, 0) << " docs, seed " << c.seed << "\n"
           << "- statistics: median of " << c.reps << " repetitions; each repetition runs each engine in a fresh child "
           << "process (so RSS is per engine); query rows are the median of " << c.query_reps
           << " runs inside each repetition\n"
           << "- RSS is VmRSS / VmHWM of each engine's own child process (file-backed mmap pages count); a child's RSS "
              "before opening its engine is about " << mib(rss_base) << " (harness, libraries, expected answers)\n"
           << "- ratio columns are kilndb's value ÷ the peer's value: for rows where higher is better, > 1 means kilndb "
              "is ahead; where lower is better, < 1 means kilndb is ahead\n"
           << "- targets met: " << met << ", missed: " << missed
           << (c.n != 1000000 ? " (targets are stated for N = 1,000,000; this run used a different N)" : "") << "\n";

  std::string md = "## Results\n\n" + facts_md.str() + "\n" + table.markdown() + "\nDurability as run:\n\n" +
                   dur.markdown() +
                   "\nThe same rows from process CPU time (all threads; not inflated by waiting for a core on this "
                   "shared machine, but a multi-threaded scan counts every core's time):\n\n" +
                   cpu_table.markdown();
  if (!na_notes.empty()) md += "\nWhy rows are n/a (the engine's own message):\n\n" + na_notes;

  std::printf("%s\n", table.console().c_str());
  std::printf("Durability as run:\n%s\n", dur.console().c_str());
  std::printf("From process CPU time (contention-resistant view):\n%s\n", cpu_table.console().c_str());
  std::printf("targets met: %d, missed: %d%s; elapsed %.0f s\n", met, missed,
              c.n != 1000000 ? " (targets are for N=1,000,000)" : "", total.seconds());

  std::ofstream(c.out + "/latest.json") << jw.str() << "\n";
  std::ofstream(c.out + "/latest.md") << md;
  std::printf("wrote %s/latest.json and %s/latest.md\n", c.out.c_str(), c.out.c_str());
  return 0;
}

}  // namespace
}  // namespace kbench

int main(int argc, char** argv) {
  kbench::Config c = kbench::parse_args(argc, argv);
  if (!c.child_engine.empty()) return kbench::run_child(c);
  try {
    return kbench::run_parent(c, argc, argv);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "BENCHMARK FAILED: %s\n", ex.what());
    return 1;
  }
}
