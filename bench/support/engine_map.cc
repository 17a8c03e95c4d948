// The in-RAM ceiling: std::unordered_map<std::string, std::string> of key ->
// JSON text. No durability, no index; queries scan with simdjson.
#include <cstring>
#include <unordered_map>

#include "support/engines.h"

namespace kbench {
namespace {

// Transparent hashing: find() takes a string_view without building a string.
struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class MapEngine final : public Engine {
 public:
  explicit MapEngine(const EngineOptions& o) : n_(o.n) {}
  std::string name() const override { return "map"; }

  void open_bulk(const std::string&) override { map_.reserve(n_); }
  std::string bulk_durability() const override { return "none (process memory only)"; }

  void put_batch(const Batch& b) override {
    for (size_t i = 0; i < b.keys.size(); ++i) map_.insert_or_assign(std::string(b.keys[i]), std::string(b.json[i]));
  }

  OwnedText get(std::string_view key) override {
    auto it = map_.find(key);
    if (it == map_.end()) throw Failure("map get: missing key " + std::string(key));
    OwnedText t;
    t.len = it->second.size();
    t.data = static_cast<char*>(std::malloc(t.len + 1));
    if (!t.data) throw Failure("out of memory");
    std::memcpy(t.data, it->second.data(), t.len + 1);
    return t;
  }

  Answer query(QueryKind kind) override {
    for (const auto& [k, v] : map_) scan_.consider(k, v);
    Answer a;
    a.rows = scan_.take(kind);
    return a;
  }

  void create_city_index() override { throw NotSupported("no secondary index (plain hash map)"); }
  bool persistent() const override { return false; }
  std::string not_persistent_reason() const override { return "in-RAM only"; }
  void close() override { map_.clear(); }
  void reopen(const std::string&) override { throw NotSupported("in-RAM only"); }

  void open_singles(const std::string&, int) override { throw NotSupported("no durability"); }
  std::string singles_durability() const override { return "none"; }
  void put_single(int, std::string_view, std::string_view) override {}
  void close_singles() override {}

 private:
  uint64_t n_;
  std::unordered_map<std::string, std::string, Hash, std::equal_to<>> map_;
  JsonScan scan_;
};

}  // namespace

std::unique_ptr<Engine> make_map_engine(const EngineOptions& o) { return std::make_unique<MapEngine>(o); }

}  // namespace kbench
