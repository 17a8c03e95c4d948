#include "doc/encoder.h"

#include <vector>

#include "doc/builder.h"
#include "doc/json_parser.h"

namespace kiln::doc {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void encode_object(simdjson::dom::object object, std::string& out) {
  // Children are encoded into one scratch buffer first (their sizes decide
  // the offset table), then put_object sorts and lays them out.
  std::string scratch;
  struct Span {
    std::string_view key;
    size_t begin, end;
  };
  std::vector<Span> spans;
  spans.reserve(object.size());
  for (simdjson::dom::key_value_pair field : object) {
    size_t begin = scratch.size();
    encode(field.value, scratch);
    spans.push_back({field.key, begin, scratch.size()});
  }
  std::vector<Field> fields;
  fields.reserve(spans.size());
  for (const Span& s : spans) fields.push_back({s.key, std::string_view(scratch).substr(s.begin, s.end - s.begin)});
  put_object(out, fields);
}

void encode_array(simdjson::dom::array array, std::string& out) {
  std::string elements;
  size_t count = 0;
  for (element child : array) {
    encode(child, elements);
    ++count;
  }
  put_array(out, count, elements);
}

}  // namespace

void encode(element e, std::string& out) {
  switch (e.type()) {
    case element_type::NULL_VALUE: put_null(out); break;
    case element_type::BOOL: put_bool(out, e.get_bool().value_unsafe()); break;
    case element_type::INT64: put_int(out, e.get_int64().value_unsafe()); break;
    case element_type::UINT64: put_uint(out, e.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: put_double(out, e.get_double().value_unsafe()); break;
    case element_type::STRING: put_string(out, e.get_string().value_unsafe()); break;
    case element_type::ARRAY: encode_array(as_array(e), out); break;
    case element_type::OBJECT: encode_object(as_object(e), out); break;
  }
}

}  // namespace kiln::doc
