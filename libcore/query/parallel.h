// Splitting a scan across the machine's cores. Small inputs run inline.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace kiln::query {

inline size_t scan_threads(size_t n, size_t min_per_thread = 32768) {
  static const size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(cores, n / min_per_thread));
}

// Calls fn(begin, end, part) for `parts` contiguous ranges covering [0, n),
// part 0 on the calling thread. Returns when all are done.
template <typename Fn>
void parallel_ranges(size_t n, size_t parts, Fn&& fn) {
  if (parts <= 1) {
    fn(size_t{0}, n, size_t{0});
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(parts - 1);
  size_t chunk = (n + parts - 1) / parts;
  for (size_t p = 1; p < parts; ++p) {
    size_t b = std::min(n, p * chunk), e = std::min(n, b + chunk);
    threads.emplace_back([&fn, b, e, p] { fn(b, e, p); });
  }
  fn(size_t{0}, std::min(n, chunk), size_t{0});
  for (std::thread& t : threads) t.join();
}

}  // namespace kiln::query
