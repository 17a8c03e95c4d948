// Splitting work across the machine's cores (scans, and the documents of a
// large set request). Small inputs run inline.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>

namespace kiln {

inline size_t scan_threads(size_t n, size_t min_per_thread = 32768) {
  static const size_t cores = std::max<size_t>(1, std::thread::hardware_concurrency());
  return std::max<size_t>(1, std::min(cores, n / min_per_thread));
}

// How many pieces parallel_ranges cuts the input into for `threads` threads:
// several each, so that a thread whose core is also busy with other work
// (a background snapshot, another query) ends up doing fewer of them instead
// of holding up the whole call with a fixed half.
inline size_t scan_pieces(size_t threads) { return threads <= 1 ? 1 : threads * 8; }

// Runs work() on the calling thread and on up to `helpers` threads of a
// process-wide pool (cores - 1 threads, started on first use and kept, so a
// call pays a wake-up, not a thread start, and the helpers' thread-local
// buffers stay warm). Helpers busy with another call do not join this one:
// work() must be written so that the caller alone can finish it (claiming
// pieces, as parallel_ranges does). Returns when the caller's work() and
// every helper that joined have returned; the first exception any of them
// threw is rethrown then.
void run_with_helpers(size_t helpers, const std::function<void()>& work);

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
  run_with_helpers(threads - 1, std::ref(work));
}

}  // namespace kiln
