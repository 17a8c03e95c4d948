#include "util/names.h"

#include <array>
#include <cstdint>
#include <string>

#include "util/error.h"

namespace kiln {
namespace {

// Per byte: 1 = letter, digit, '_' or '-'; 2 = '.'. A table, since every
// get checks its key this way.
struct NameChars {
  uint8_t kind[256] = {};
  constexpr NameChars() {
    for (int c = 0; c < 256; ++c) {
      bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      kind[c] = plain ? 1 : c == '.' ? 2 : 0;
    }
  }
};
constexpr NameChars kNameChars;

bool all_name_chars(std::string_view s, bool allow_dot) {
  uint8_t allowed = allow_dot ? 3 : 1;
  for (char c : s) {
    if (!(kNameChars.kind[static_cast<unsigned char>(c)] & allowed)) return false;
  }
  return true;
}

constexpr std::array<std::string_view, 5> kReservedCollections = {"admin", "system", "config", "internal",
                                                                   "__proto__"};

// The wording of MoltenDB rc2, so clients matching on messages keep working.
[[noreturn]] void bad_collection(std::string_view shown) {
  throw_invalid("Invalid collection name: '" + std::string(shown) +
                "'. Must be alphanumeric with _, - only (1-64 chars)");
}

[[noreturn]] void bad_field(std::string_view shown) {
  throw_invalid("Invalid field name: '" + std::string(shown) +
                "'. Must be alphanumeric with _, -, . only (1-128 chars)");
}

}  // namespace

void check_collection_name(std::string_view name) {
  if (name.size() > 64) throw_invalid("Collection name too long (max 64 characters)");
  if (name.empty() || !all_name_chars(name, false)) bad_collection(name);
  for (std::string_view reserved : kReservedCollections) {
    if (name == reserved) bad_collection(std::string(name) + " (reserved name)");
  }
}

bool is_valid_key(std::string_view key) {
  return !key.empty() && key.size() <= 256 && all_name_chars(key, true);
}

void check_key(std::string_view key) {
  if (key.size() > 256) throw_invalid("Key name too long (max 256 characters)");
  if (!is_valid_key(key)) {
    throw_invalid("Invalid key name: '" + std::string(key) + "'. Must be alphanumeric with _, -, . only (1-256 chars)");
  }
}

void check_field_path(std::string_view path) {
  if (path.size() > 128) bad_field(std::string(path) + " (too long)");
  bool ok = !path.empty() && all_name_chars(path, true) && path.front() != '.' && path.back() != '.' &&
            path.find("..") == std::string_view::npos;
  if (!ok) bad_field(path);
}

}  // namespace kiln
