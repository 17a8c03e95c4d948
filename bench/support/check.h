// Checks every answer against the generator: a wrong answer fails the run.
#pragma once

#include <string_view>
#include <vector>

#include "support/datagen.h"
#include "support/engines.h"

namespace kbench {

// The document returned for doc_key(index) carries the generated fields
// (extra metadata members such as _v are allowed). Throws Failure.
void check_document(uint64_t seed, uint64_t index, std::string_view json, const char* engine);

// The answer as rows (kilndb's JSON array is parsed here, untimed).
std::vector<Row> answer_rows(const Answer& a);

// Same rows; `ordered` compares order too, else as sets. Throws Failure.
void check_rows(std::vector<Row> got, const std::vector<Row>& want, bool ordered, const std::string& what);

}  // namespace kbench
