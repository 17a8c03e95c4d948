#include "store/doc_record.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>

namespace kiln {

DocRecord* DocRecord::create(std::string_view key, std::string_view encoded_value) {
  if (key.size() > UINT16_MAX) throw std::length_error("document key longer than 65535 bytes");
  if (encoded_value.size() > UINT32_MAX) throw std::length_error("encoded document larger than 4 GiB");
  void* mem = std::malloc(sizeof(DocRecord) + kKeyLenBytes + key.size() + encoded_value.size());
  if (!mem) throw std::bad_alloc();
  auto* r = new (mem) DocRecord(static_cast<uint32_t>(encoded_value.size()));
  char* data = reinterpret_cast<char*>(r + 1);
  auto key_len = static_cast<uint16_t>(key.size());
  std::memcpy(data, &key_len, kKeyLenBytes);
  std::memcpy(data + kKeyLenBytes, key.data(), key.size());
  std::memcpy(data + kKeyLenBytes + key.size(), encoded_value.data(), encoded_value.size());
  return r;
}

void DocRecord::unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~DocRecord();
    std::free(const_cast<DocRecord*>(this));
  }
}

}  // namespace kiln
