#include "store/doc_record.h"

#include <cstdlib>
#include <cstring>
#include <new>

namespace kiln {

DocRecord* DocRecord::create(std::string_view key, std::string_view encoded_value) {
  void* mem = std::malloc(sizeof(DocRecord) + key.size() + encoded_value.size());
  if (!mem) throw std::bad_alloc();
  auto* r = new (mem) DocRecord(static_cast<uint32_t>(key.size()), static_cast<uint32_t>(encoded_value.size()));
  char* data = reinterpret_cast<char*>(r + 1);
  std::memcpy(data, key.data(), key.size());
  std::memcpy(data + key.size(), encoded_value.data(), encoded_value.size());
  return r;
}

void DocRecord::unref() const {
  if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    this->~DocRecord();
    std::free(const_cast<DocRecord*>(this));
  }
}

}  // namespace kiln
