// Crash test: a child process writes in sync mode and reports every
// acknowledged key through a pipe; the parent SIGKILLs it at a random moment,
// reopens the database and checks that every acknowledged write is there and
// that every file verifies. Half of the iterations run with tiny segment and
// compaction thresholds, so kills also land during snapshots and log
// removal. KILN_CRASH_ITERATIONS sets the count (default 24); KILN_CRASH_SEED
// the random seed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "durability_helpers.h"

namespace kiln::durability_testing {
namespace {

constexpr const char* kPlainOptions = R"({"mode":"sync"})";
constexpr const char* kCompactingOptions =
    R"({"mode":"sync","segment_bytes":8192,"compaction_min_bytes":4096,"compaction_ratio":1,"backups_kept":1})";

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v ? std::atoi(v) : fallback;
}

[[noreturn]] void child_writer(const std::string& path, const char* options, int iteration, int fd) {
  kiln_db* db = nullptr;
  if (kiln_open(path.c_str(), options, &db, nullptr) != KILN_OK) _exit(3);
  auto writer = [&](int thread) {
    std::string pad(100 + 37 * thread, 'p');
    for (int i = 0; i < 100000; ++i) {
      std::string key = "i" + std::to_string(iteration) + "_t" + std::to_string(thread) + "_" + std::to_string(i);
      std::string req = R"({"op":"set","collection":"crash","data":{")" + key + R"(":{"i":)" + std::to_string(i) +
                        R"(,"pad":")" + pad + R"("}}})";
      char* out = nullptr;
      if (kiln_execute(db, req.data(), req.size(), &out, nullptr, nullptr) != KILN_OK) _exit(4);
      kiln_free(out);
      std::string line = key + "\n";
      if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      if (thread == 0 && i % 97 == 0 && options == kCompactingOptions) {
        char* snap = nullptr;
        if (kiln_execute(db, R"({"op":"snapshot"})", 17, &snap, nullptr, nullptr) != KILN_OK) _exit(6);
        kiln_free(snap);
      }
    }
  };
  std::thread second(writer, 1);
  writer(0);
  second.join();
  _exit(0);
}

TEST(Crash, AcknowledgedSyncWritesSurviveSigkill) {
  const int iterations = env_int("KILN_CRASH_ITERATIONS", 24);
  const unsigned seed = static_cast<unsigned>(env_int("KILN_CRASH_SEED", static_cast<int>(std::random_device{}())));
  std::mt19937 rng(seed);
  TempDir dir;
  std::set<std::string> acked;
  for (int it = 0; it < iterations; ++it) {
    SCOPED_TRACE("iteration " + std::to_string(it) + ", KILN_CRASH_SEED=" + std::to_string(seed));
    const char* options = it % 2 ? kCompactingOptions : kPlainOptions;
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      close(fds[0]);
      child_writer(dir.db(), options, it, fds[1]);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 150)(rng)));
    kill(child, SIGKILL);
    std::string reported;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) reported.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int wstatus = 0;
    waitpid(child, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "the writer exited on its own with status " << WEXITSTATUS(wstatus);

    std::istringstream lines(reported);
    for (std::string key; std::getline(lines, key);) acked.insert(key);
    // On a loaded machine the kill can land before the first open created
    // the database: then there is nothing to check yet.
    if (acked.empty() && !std::filesystem::exists(dir.db())) continue;

    std::string before = verify(dir.db());
    ASSERT_TRUE(verify_ok(before)) << before;

    kiln_db* db = must_open(dir.db(), options);
    ASSERT_NE(db, nullptr);
    for (const std::string& key : acked) ASSERT_NE(get_doc(db, "crash", key), "") << "lost acknowledged write " << key;
    ASSERT_EQ(kiln_close(db), KILN_OK);
    std::string after = verify(dir.db());
    ASSERT_TRUE(verify_ok(after)) << after;
    ASSERT_EQ(after.find("torn tail"), std::string::npos) << "open must cut the torn tail: " << after;
  }
  std::cout << iterations << " kills, " << acked.size() << " acknowledged writes checked\n";
}

}  // namespace
}  // namespace kiln::durability_testing
