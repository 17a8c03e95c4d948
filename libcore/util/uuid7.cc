#include "util/uuid7.h"

#include <mutex>
#include <random>

namespace kiln {
namespace {

// The 12-bit rand_a field holds a counter within one millisecond (RFC 9562
// method 1), so keys made in the same millisecond still increase.
struct Uuid7State {
  std::mutex mu;
  std::mt19937_64 rng{std::random_device{}()};
  int64_t last_ms = 0;
  uint32_t counter = 0;
};

Uuid7State& state() {
  static Uuid7State s;
  return s;
}

}  // namespace

std::string make_uuid7(int64_t now_ms) {
  Uuid7State& s = state();
  uint64_t ms, rand_b;
  uint32_t seq;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (now_ms > s.last_ms) {
      s.last_ms = now_ms;
      s.counter = static_cast<uint32_t>(s.rng() & 0x3ff);  // leave room to count up
    } else if (++s.counter > 0xfff) {
      ++s.last_ms;  // counter exhausted: borrow the next millisecond
      s.counter = 0;
    }
    ms = static_cast<uint64_t>(s.last_ms);
    seq = s.counter;
    rand_b = s.rng();
  }
  uint8_t b[16];
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = static_cast<uint8_t>(0x70 | (seq >> 8));
  b[7] = static_cast<uint8_t>(seq);
  for (int i = 0; i < 8; ++i) b[8 + i] = static_cast<uint8_t>(rand_b >> (56 - 8 * i));
  b[8] = static_cast<uint8_t>(0x80 | (b[8] & 0x3f));

  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(hex[b[i] >> 4]);
    out.push_back(hex[b[i] & 15]);
  }
  return out;
}

}  // namespace kiln
