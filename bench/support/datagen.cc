#include "support/datagen.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace kbench {
namespace {

constexpr std::array<std::string_view, 50> kCities = {
    "Bogota",    "Lima",      "Quito",     "Santiago",  "Caracas",   "Montevideo", "Asuncion",  "La Paz",
    "Medellin",  "Cali",      "Cartagena", "Barranquilla", "Cusco",  "Arequipa",   "Guayaquil", "Cuenca",
    "Valparaiso", "Rosario",  "Cordoba",   "Mendoza",   "Salta",     "Recife",     "Salvador",  "Fortaleza",
    "Manaus",    "Belem",     "Curitiba",  "Porto Alegre", "Brasilia", "Campinas", "Santos",    "Natal",
    "Maceio",    "Florianopolis", "Goiania", "Merida",  "Cancun",    "Oaxaca",     "Puebla",    "Leon",
    "Monterrey", "Tijuana",   "Toluca",    "Queretaro", "Morelia",   "Durango",    "Chihuahua", "Hermosillo",
    "Culiacan",  "Veracruz"};
constexpr std::array<std::string_view, 32> kFirst = {
    "Ada",   "Alan",  "Grace", "Edsger", "Barbara", "Donald", "Ken",    "Dennis", "Linus",  "Margaret", "Niklaus",
    "Frances", "John", "Radia", "Leslie", "Tony",   "Butler", "Shafi",  "Sophie", "Hedy",   "Katherine", "Mary",
    "Carlos", "Lucia", "Mateo", "Valentina", "Diego", "Camila", "Andres", "Isabel", "Jorge", "Elena"};
constexpr std::array<std::string_view, 32> kLast = {
    "Lovelace", "Turing",  "Hopper",  "Dijkstra", "Liskov",   "Knuth",    "Thompson", "Ritchie",
    "Torvalds", "Hamilton", "Wirth",  "Allen",    "Backus",   "Perlman",  "Lamport",  "Hoare",
    "Lampson",  "Goldwasser", "Wilson", "Lamarr", "Johnson",  "Jackson",  "Garcia",   "Rodriguez",
    "Martinez", "Lopez",   "Gonzalez", "Perez",   "Sanchez",  "Ramirez",  "Torres",   "Flores"};
constexpr std::array<std::string_view, 20> kTags = {
    "red",  "green", "blue",   "gold",  "silver", "vip",    "new",    "beta",  "alpha", "pro",
    "free", "trial", "mobile", "web",   "admin",  "editor", "viewer", "north", "south", "east"};
constexpr std::array<std::string_view, 16> kStreets = {
    "Main St",     "Oak Ave",     "Pine Rd",    "Maple Dr",    "Cedar Ln",   "Elm St",     "Calle 26",  "Carrera 7",
    "Avenida Sur", "Park Blvd",   "Lake View",  "Hill Rd",     "River Walk", "Sunset Ave", "Bay St",    "King Rd"};

// A tiny stream over mix64: document i gets its own stream.
class Stream {
 public:
  explicit Stream(uint64_t state) : state_(state) {}
  uint64_t next() { return mix64(state_ += 0x9E3779B97F4A7C15ull); }
  uint64_t below(uint64_t n) { return next() % n; }

 private:
  uint64_t state_;
};

void append_string(std::string& out, std::string_view s) {
  out.push_back('"');
  out.append(s);  // generated text never needs escaping
  out.push_back('"');
}

}  // namespace

uint64_t mix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::string doc_key(uint64_t i) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "doc%08llu", static_cast<unsigned long long>(i));
  return std::string(buf, static_cast<size_t>(n));
}

Record make_record(uint64_t seed, uint64_t i) {
  Stream s(mix64(seed) ^ mix64(i + 1));
  Record r;
  std::string_view first = kFirst[s.below(kFirst.size())];
  std::string_view last = kLast[s.below(kLast.size())];
  r.name.reserve(first.size() + last.size() + 1);
  r.name.append(first).append(" ").append(last);
  r.age = 18 + static_cast<int>(s.below(73));
  r.city = kCities[s.below(kCities.size())];
  r.score_cents = static_cast<int64_t>(s.below(1000000));  // 0.00 .. 9999.99
  size_t ntags = s.below(6);
  uint32_t used = 0;
  while (r.tags.size() < ntags) {
    size_t t = s.below(kTags.size());
    if (used & (1u << t)) continue;
    used |= 1u << t;
    r.tags.push_back(kTags[t]);
  }
  r.active = s.below(2) == 1;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%05llu", static_cast<unsigned long long>(s.below(100000)));
  r.zip = buf;
  std::snprintf(buf, sizeof buf, "%llu ", static_cast<unsigned long long>(1 + s.below(9999)));
  r.street = buf;
  r.street.append(kStreets[s.below(kStreets.size())]);
  r.email.reserve(40);
  for (char c : first) r.email.push_back(static_cast<char>(c | 0x20));
  r.email.push_back('.');
  for (char c : last) r.email.push_back(static_cast<char>(c | 0x20));
  std::snprintf(buf, sizeof buf, "%llu@example.com", static_cast<unsigned long long>(i));
  r.email.append(buf);
  return r;
}

void append_json(const Record& r, std::string& out) {
  char num[64];
  out.append("{\"name\":");
  append_string(out, r.name);
  out.append(",\"age\":");
  out.append(num, static_cast<size_t>(std::snprintf(num, sizeof num, "%d", r.age)));
  out.append(",\"city\":");
  append_string(out, r.city);
  out.append(",\"score\":");
  out.append(num, static_cast<size_t>(std::snprintf(num, sizeof num, "%lld.%02lld",
                                                    static_cast<long long>(r.score_cents / 100),
                                                    static_cast<long long>(r.score_cents % 100))));
  out.append(",\"tags\":[");
  for (size_t t = 0; t < r.tags.size(); ++t) {
    if (t) out.push_back(',');
    append_string(out, r.tags[t]);
  }
  out.append("],\"active\":");
  out.append(r.active ? "true" : "false");
  out.append(",\"address\":{\"zip\":");
  append_string(out, r.zip);
  out.append(",\"street\":");
  append_string(out, r.street);
  out.append("},\"email\":");
  append_string(out, r.email);
  out.push_back('}');
}

bool matches_query(const Record& r) { return r.city == kQueryCity && r.age > kQueryMinAge; }

Expected expected_answers(uint64_t seed, uint64_t n) {
  Expected e;
  std::string json;
  for (uint64_t i = 0; i < n; ++i) {
    Record r = make_record(seed, i);
    json.clear();
    append_json(r, json);
    e.raw_json_bytes += json.size();
    if (matches_query(r)) e.filter.push_back(Row{doc_key(i), r.name, r.age, r.score()});
  }
  // Keys are generated in ascending order, so `filter` is sorted by key.
  e.top = e.filter;
  auto by_score = [](const Row& a, const Row& b) { return a.score != b.score ? a.score > b.score : a.key < b.key; };
  size_t k = std::min(kTopN, e.top.size());
  std::partial_sort(e.top.begin(), e.top.begin() + static_cast<std::ptrdiff_t>(k), e.top.end(), by_score);
  e.top.resize(k);
  return e;
}

void Batch::clear() {
  buf.clear();
  keys.clear();
  json.clear();
}

void make_batch(uint64_t seed, uint64_t first, uint64_t count, Batch& out, std::string_view key_prefix) {
  out.clear();
  std::vector<std::pair<size_t, size_t>> key_at, json_at;  // offsets: buf may reallocate while filling
  char kbuf[64];
  for (uint64_t i = first; i < first + count; ++i) {
    int kn = std::snprintf(kbuf, sizeof kbuf, "%.*s%08llu", static_cast<int>(key_prefix.size()), key_prefix.data(),
                           static_cast<unsigned long long>(i));
    key_at.emplace_back(out.buf.size(), static_cast<size_t>(kn));
    out.buf.append(kbuf, static_cast<size_t>(kn));
    size_t start = out.buf.size();
    append_json(make_record(seed, i), out.buf);
    json_at.emplace_back(start, out.buf.size() - start);
  }
  for (size_t j = 0; j < key_at.size(); ++j) {
    out.keys.emplace_back(out.buf.data() + key_at[j].first, key_at[j].second);
    out.json.emplace_back(out.buf.data() + json_at[j].first, json_at[j].second);
  }
}

std::vector<uint64_t> random_indexes(uint64_t seed, uint64_t n, size_t count) {
  std::vector<uint64_t> out(count);
  Stream s(mix64(seed ^ 0x6765747321ull));
  for (auto& x : out) x = s.below(n);
  return out;
}

}  // namespace kbench
