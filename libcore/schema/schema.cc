#include "schema/schema.h"

#include <vector>

#include "schema/value_adapter.h"  // first: it configures valijson

#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "doc/builder.h"
#include "doc/encoder.h"
#include "request/metadata.h"
#include "schema/value_adapter.h"
#include "util/error.h"

namespace kiln {
namespace {

constexpr std::string_view kMetadata[] = {meta::kVersion, meta::kCreatedAt, meta::kModifiedAt};

// `schema` with the metadata members declared (as `true` schemas) wherever
// an object schema that applies to the document itself restricts
// additionalProperties: the root and its allOf/anyOf/oneOf/if/then/else.
std::string declare_metadata(doc::Value schema) {
  if (!schema.is_object()) return std::string(schema.bytes());
  doc::ObjectEditor editor(schema);
  doc::Value additional = schema.find("additionalProperties");
  if (additional.valid() && additional.tag() != doc::kTrue) {
    doc::Value props = schema.find("properties");
    if (!props.valid() || props.is_object()) {
      std::string empty_props;
      std::vector<doc::Field> none;
      doc::put_object(empty_props, none);
      doc::ObjectEditor p(props.valid() ? props : doc::Value(empty_props));
      std::string yes;
      doc::put_bool(yes, true);
      for (std::string_view m : kMetadata) {
        if (!p.has(m)) p.set(m, yes);
      }
      editor.set("properties", p.build());
    }
  }
  for (std::string_view list : {"allOf", "anyOf", "oneOf"}) {
    doc::Value arr = schema.find(list);
    if (!arr.valid() || !arr.is_array()) continue;
    std::string elements;
    size_t n = arr.count();
    doc::Value e = arr.first_element();
    for (size_t i = 0; i < n; ++i, e = e.next()) elements += declare_metadata(e);
    std::string rebuilt;
    doc::put_array(rebuilt, n, elements);
    editor.set(list, rebuilt);
  }
  for (std::string_view branch : {"if", "then", "else"}) {
    doc::Value sub = schema.find(branch);
    if (sub.valid() && sub.is_object()) editor.set(branch, declare_metadata(sub));
  }
  return editor.build();
}

// valijson's context ["<root>", "[address]", "[0]"] -> "$.address[0]".
std::string path_text(const std::vector<std::string>& context) {
  std::string out = "$";
  for (size_t i = 1; i < context.size(); ++i) {
    const std::string& c = context[i];
    bool index = c.size() > 2 && c.front() == '[' && c.back() == ']' &&
                 c.find_first_not_of("0123456789", 1) == c.size() - 1;
    if (index) {
      out += c;
    } else if (c.size() >= 2 && c.front() == '[' && c.back() == ']') {
      out += "." + c.substr(1, c.size() - 2);
    } else {
      out += "." + c;
    }
  }
  return out;
}

}  // namespace

Schema::Schema() = default;
Schema::~Schema() = default;

std::shared_ptr<const Schema> Schema::compile(doc::Value schema, std::string json_text) {
  std::shared_ptr<Schema> s(new Schema());
  s->json_ = std::move(json_text);
  s->schema_ = std::make_unique<valijson::Schema>();
  s->validator_ = std::make_unique<valijson::Validator>();
  s->encoded_ = declare_metadata(schema);
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.populateSchema(schema::DocAdapter(doc::Value(s->encoded_)), *s->schema_);
  } catch (const std::exception& e) {
    throw_invalid(std::string("Invalid Schema: Invalid schema: ") + e.what());
  }
  return s;
}

std::shared_ptr<const Schema> Schema::compile_json(std::string_view json_text) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json_text.data(), json_text.size(), true).get(root) != simdjson::SUCCESS) {
    throw_invalid("Invalid Schema: Invalid schema: not valid JSON");
  }
  std::string encoded = doc::encode(root);
  return compile(doc::Value(encoded), std::string(json_text));
}

void Schema::validate(doc::Value document) const {
  valijson::ValidationResults results;
  bool ok;
  {
    std::lock_guard lock(mu_);
    ok = validator_->validate(*schema_, schema::DocAdapter(document), &results);
  }
  if (ok) return;
  // The most specific error: the deepest context, first of those.
  const valijson::ValidationResults::Error* best = nullptr;
  for (const auto& e : results) {
    if (!best || e.context.size() > best->context.size()) best = &e;
  }
  std::string detail = best ? path_text(best->context) + ": " + best->description : "document does not conform";
  throw_invalid("Schema Validation Error: " + detail);
}

}  // namespace kiln
