#include "support/old_format.h"

#include <vector>

#include "doc/builder.h"

namespace kiln::testing {

using namespace kiln::doc;

std::string old_form(Value v) {
  std::string out;
  if (v.is_string()) {
    TextBuf buf;
    std::string_view text = v.as_string(buf);
    out.push_back(static_cast<char>(kString));
    put_varint(out, text.size());
    out.append(text);
  } else if (v.is_array()) {
    std::string elements;
    Value e = v.first_element();
    for (size_t i = 0; i < v.count(); ++i, e = e.next()) elements += old_form(e);
    put_array(out, v.count(), elements);
  } else if (v.is_object()) {
    std::string entries;
    std::vector<uint32_t> starts;
    v.for_each_field([&](std::string_view key, Value field) {
      starts.push_back(static_cast<uint32_t>(entries.size()));
      put_varint(entries, key.size());
      entries.append(key);
      entries += old_form(field);
    });
    bool wide = entries.size() > 0xffff;
    std::string table;
    for (uint32_t start : starts) table.append(reinterpret_cast<const char*>(&start), wide ? 4 : 2);
    out.push_back(static_cast<char>(wide ? kObject32 : kObject16));
    put_varint(out, varint_size(starts.size()) + table.size() + entries.size());
    put_varint(out, starts.size());
    out += table + entries;
  } else if (v.is_float()) {
    double d = v.as_double();
    out.push_back(static_cast<char>(kDouble));
    out.append(reinterpret_cast<const char*>(&d), 8);
  } else {
    out.append(v.bytes());
  }
  return out;
}

}  // namespace kiln::testing
