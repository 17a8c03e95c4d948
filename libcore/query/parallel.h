// Splitting a scan across the machine's cores. Small inputs run inline.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace kiln::query {

inline size_t scan_threads(size_t n, size_t min_per_thread = 32768) {
  static const size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(cores, n / min_per_thread));
}

// How many pieces parallel_ranges cuts the input into for `threads` threads:
// several each, so that a thread whose core is also busy with other work
// (a background snapshot, another query) ends up doing fewer of them instead
// of holding up the whole call with a fixed half.
inline size_t scan_pieces(size_t threads) { return threads <= 1 ? 1 : threads * 8; }

// Calls fn(begin, end, piece) for `pieces` contiguous ranges covering [0, n)
// in order (piece i starts where piece i - 1 ends), on `threads` threads, the
// calling thread included; each thread takes the next unclaimed piece until
// none is left. Returns when all are done. Results kept per piece can be
// joined in piece order to follow the input order.
template <typename Fn>
void parallel_ranges(size_t n, size_t threads, size_t pieces, Fn&& fn) {
  pieces = std::max<size_t>(1, pieces);
  size_t chunk = (n + pieces - 1) / pieces;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t p = next.fetch_add(1, std::memory_order_relaxed); p < pieces;
         p = next.fetch_add(1, std::memory_order_relaxed)) {
      size_t b = std::min(n, p * chunk), e = std::min(n, b + chunk);
      fn(b, e, p);
    }
  };
  threads = std::min(threads, pieces);
  if (threads <= 1) {
    work();
    return;
  }
  std::vector<std::thread> others;
  others.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) others.emplace_back(work);
  work();
  for (std::thread& t : others) t.join();
}

}  // namespace kiln::query
