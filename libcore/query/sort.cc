#include "query/sort.h"

#include "doc/compare.h"
#include "doc/json_writer.h"

namespace kiln::query {

SortRank sort_rank(doc::Value v) {
  if (!v.valid()) return kMissingRank;
  switch (v.tag()) {
    case doc::kString:
    case doc::kStamp: return kStringRank;
    case doc::kInt:
    case doc::kUint:
    case doc::kDouble:
    case doc::kCents: return kNumberRank;
    case doc::kArray: return kArrayRank;
    case doc::kFalse: return kFalseRank;
    case doc::kNull: return kNullRank;
    case doc::kTrue: return kTrueRank;
    default: return kObjectRank;
  }
}

int sort_compare(doc::Value a, doc::Value b) {
  SortRank ra = sort_rank(a), rb = sort_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case kStringRank: return doc::compare_strings(a, b);
    case kNumberRank: {
      double x = a.as_double(), y = b.as_double();
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case kArrayRank:
    case kObjectRank: {
      int c = doc::to_json(a).compare(doc::to_json(b));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    default: return 0;
  }
}

std::vector<SortSpec> parse_sort(simdjson::dom::element sort) {
  std::vector<SortSpec> specs;
  simdjson::dom::array arr;
  if (sort.get_array().get(arr) != simdjson::SUCCESS) return specs;
  for (simdjson::dom::element item : arr) {
    std::string_view field;
    bool desc = false;
    if (item.get_string().get(field) == simdjson::SUCCESS) {
      // bare string: ascending
    } else if (item.is_object()) {
      if (item["field"].get_string().get(field) != simdjson::SUCCESS) continue;
      std::string_view order;
      if (item["order"].get_string().get(order) == simdjson::SUCCESS && order.size() == 4) {
        desc = (order[0] | 0x20) == 'd' && (order[1] | 0x20) == 'e' && (order[2] | 0x20) == 's' &&
               (order[3] | 0x20) == 'c';
      }
    } else {
      continue;
    }
    if (field.empty()) continue;
    specs.push_back({FieldPath(field), desc});
  }
  return specs;
}

int compare_documents(const std::vector<SortSpec>& specs, doc::Value a, std::string_view key_a, doc::Value b,
                      std::string_view key_b) {
  for (const SortSpec& s : specs) {
    int c = sort_compare(s.path.lookup(a), s.path.lookup(b));
    if (c) return s.desc ? -c : c;
  }
  int c = key_a.compare(key_b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace kiln::query
