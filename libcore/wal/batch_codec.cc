#include "wal/batch_codec.h"

#include "util/error.h"
#include "util/varint.h"

namespace kiln::wal {
namespace {

void put_bytes(std::string& out, std::string_view s) {
  put_varint(out, s.size());
  out.append(s);
}

[[noreturn]] void malformed(const std::string& where) {
  throw Error(Code::kCorruption, "Malformed mutation data in " + where);
}

uint64_t read_varint(std::string_view& p, const std::string& where) {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p.empty()) malformed(where);
    uint8_t b = static_cast<uint8_t>(p.front());
    p.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
  malformed(where);
}

std::string_view read_bytes(std::string_view& p, const std::string& where) {
  uint64_t n = read_varint(p, where);
  if (n > p.size()) malformed(where);
  std::string_view s = p.substr(0, n);
  p.remove_prefix(n);
  return s;
}

}  // namespace

void encode_mutation(const Mutation& m, std::string& out) {
  out.push_back(static_cast<char>(m.kind));
  put_bytes(out, m.collection);
  put_bytes(out, m.record ? m.record->key() : std::string_view(m.key));
  put_bytes(out, m.record ? m.record->bytes() : std::string_view());
  put_bytes(out, m.payload);
}

void encode_batch(const std::vector<Mutation>& mutations, std::string& out) {
  put_varint(out, mutations.size());
  for (const Mutation& m : mutations) encode_mutation(m, out);
}

Mutation decode_mutation(std::string_view& p, const std::string& where) {
  if (p.empty()) malformed(where);
  Mutation m;
  m.kind = static_cast<Mutation::Kind>(static_cast<uint8_t>(p.front()));
  p.remove_prefix(1);
  m.collection = std::string(read_bytes(p, where));
  m.key = std::string(read_bytes(p, where));
  std::string_view record = read_bytes(p, where);
  if (!record.empty()) m.record = DocRef::make(m.key, record);
  m.payload = std::string(read_bytes(p, where));
  return m;
}

std::vector<Mutation> decode_batch(std::string_view bytes, const std::string& where) {
  uint64_t count = read_varint(bytes, where);
  if (count > bytes.size()) malformed(where);  // every mutation takes at least 5 bytes
  std::vector<Mutation> out;
  out.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out.push_back(decode_mutation(bytes, where));
  if (!bytes.empty()) malformed(where);
  return out;
}

}  // namespace kiln::wal
