// Wall-clock timing and the statistics the benches report.
#pragma once

#include <chrono>
#include <vector>

namespace kbench {

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  void restart() { start_ = std::chrono::steady_clock::now(); }
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Accumulates the time of several timed sections (e.g. only the insert calls
// of a loop that also generates its input).
class Accumulator {
 public:
  void start() { sw_.restart(); }
  void stop() { total_ += sw_.seconds(); }
  double seconds() const { return total_; }

 private:
  Stopwatch sw_;
  double total_ = 0;
};

double median(std::vector<double> v);                 // NaN when empty
double percentile(std::vector<double> v, double q);   // nearest rank, q in [0,1]

}  // namespace kbench
