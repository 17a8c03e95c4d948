// Wall-clock timing and the statistics the benches report.
#pragma once

#include <chrono>
#include <vector>

namespace kbench {

// CPU time of the whole process (all threads), in seconds. On a shared,
// overloaded machine wall time includes waiting for a core; CPU time does not.
double process_cpu_seconds();

class Stopwatch {
 public:
  Stopwatch() { restart(); }
  void restart() {
    start_ = std::chrono::steady_clock::now();
    cpu_start_ = process_cpu_seconds();
  }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  double cpu_seconds() const { return process_cpu_seconds() - cpu_start_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_ = 0;
};

// Accumulates the time of several timed sections (e.g. only the insert calls
// of a loop that also generates its input).
class Accumulator {
 public:
  void start() { sw_.restart(); }
  void stop() {
    total_ += sw_.seconds();
    cpu_ += sw_.cpu_seconds();
  }
  double seconds() const { return total_; }
  double cpu_seconds() const { return cpu_; }

 private:
  Stopwatch sw_;
  double total_ = 0;
  double cpu_ = 0;
};

double median(std::vector<double> v);                 // NaN when empty
double percentile(std::vector<double> v, double q);   // nearest rank, q in [0,1]

}  // namespace kbench
