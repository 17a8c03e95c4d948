// Deterministic document generator shared by the benchmarks.
//
// Document i depends only on (seed, i), so any document can be regenerated
// at random (to check an answer) without keeping the data set in memory.
// Each document is ~200 bytes of JSON with the fields of issue 7:
// name, age 18-90, city (1 of 50, including "Bogota"), score, tags (0-5 of
// 20), active, address {zip, street}, email. Keys are doc00000000, ...
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kbench {

struct Record {
  std::string name;
  int age = 0;
  std::string_view city;
  int64_t score_cents = 0;  // score = score_cents / 100.0, printed with 2 decimals
  std::vector<std::string_view> tags;
  bool active = false;
  std::string zip;
  std::string street;
  std::string email;

  double score() const { return static_cast<double>(score_cents) / 100.0; }
};

// The filter every engine answers: city == kQueryCity AND age > kQueryMinAge.
inline constexpr std::string_view kQueryCity = "Bogota";
inline constexpr int kQueryMinAge = 50;
inline constexpr size_t kTopN = 20;

std::string doc_key(uint64_t i);                 // "doc%08llu"
Record make_record(uint64_t seed, uint64_t i);   // fields only
void append_json(const Record& r, std::string& out);  // the document as JSON text
bool matches_query(const Record& r);

// One row of a query answer in a neutral form: every engine's native answer is
// converted to these rows (outside the timed section) and compared.
struct Row {
  std::string key;
  std::string name;
  int64_t age = 0;
  double score = 0;  // only filled where known; not compared
  bool operator==(const Row& o) const { return key == o.key && name == o.name && age == o.age; }
};

// The answers the generator expects for N documents.
struct Expected {
  std::vector<Row> filter;  // sorted by key
  std::vector<Row> top;     // score desc, key asc, first kTopN
  uint64_t raw_json_bytes = 0;  // sum of the documents' JSON sizes
};
Expected expected_answers(uint64_t seed, uint64_t n);

// A batch of documents as one buffer: keys[i], json[i] point into `buf`.
struct Batch {
  std::string buf;
  std::vector<std::string_view> keys;
  std::vector<std::string_view> json;
  void clear();
};
void make_batch(uint64_t seed, uint64_t first, uint64_t count, Batch& out, std::string_view key_prefix = "doc");

// Random but reproducible indexes (e.g. the keys to get).
std::vector<uint64_t> random_indexes(uint64_t seed, uint64_t n, size_t count);

// splitmix64: the generator's hash; exposed for the benches' own streams.
uint64_t mix64(uint64_t x);

}  // namespace kbench
