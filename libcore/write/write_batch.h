// WriteBatch: the outcome of one write request (or one `batch` of them) as
// an ordered list of mutations. It is computed completely before anything
// changes, then applied in one step — and it is exactly what one log record
// holds, so a request is atomic in RAM and on disk alike.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/doc_record.h"

namespace kiln {

class Store;

// Kinds are stored in log records: never renumber, only add.
struct Mutation {
  enum class Kind : uint8_t {
    kPut = 1,
    kDelete = 2,
    kDrop = 3,
    kCreateIndex = 4,  // payload: {"field":path,"unique":bool}
    kDropIndex = 5,    // payload: {"field":path}
    kSetSchema = 6,    // payload: the JSON Schema, or null to remove it
  };
  Kind kind;
  std::string collection;
  std::string key;      // kDelete (kPut takes it from the record)
  DocRef record;        // kPut
  std::string payload;  // kinds that carry a definition (e.g. index, schema), as JSON
  // kPut: the record's stored _v when the writer knows it (saves the change
  // feed a lookup); not part of the log record.
  std::optional<uint64_t> new_v;
};

struct WriteBatch {
  std::vector<Mutation> mutations;
  int64_t timestamp_ms = 0;  // when the request was planned

  bool empty() const { return mutations.empty(); }
};

// Applies every mutation in order. Cannot fail (beyond allocation), so a
// batch is applied whole once it is durable.
void apply(const WriteBatch& batch, Store& store);

}  // namespace kiln
