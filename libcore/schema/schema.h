// Schema: one collection's JSON Schema (draft 7, through valijson),
// compiled once and checked against every document written to it.
// The metadata members (_v, createdAt, modifiedAt) are declared in every
// object schema that restricts additionalProperties, so they never fail it.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "doc/value.h"

namespace valijson {
class Schema;
class Validator;
}  // namespace valijson

namespace kiln {

class Schema {
 public:
  // From the schema's encoding and its JSON text (kept for definitions()).
  // Throws INVALID_ARGUMENT "Invalid Schema: Invalid schema: ..." (rc2's words).
  static std::shared_ptr<const Schema> compile(doc::Value schema, std::string json_text);
  // From JSON text alone (log replay, snapshots).
  static std::shared_ptr<const Schema> compile_json(std::string_view json_text);

  ~Schema();

  // Throws INVALID_ARGUMENT "Schema Validation Error: <path>: <rule>".
  void validate(doc::Value document) const;

  const std::string& json() const { return json_; }

 private:
  Schema();

  std::string json_;
  std::string encoded_;  // the compiled (metadata-declaring) schema
  std::unique_ptr<valijson::Schema> schema_;
  mutable std::mutex mu_;  // the validator caches compiled regexes
  std::unique_ptr<valijson::Validator> validator_;
};

}  // namespace kiln
