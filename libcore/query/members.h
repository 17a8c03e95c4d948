// The members of a parsed JSON object in rc2's evaluation order: sorted by
// key, a key repeated in the text counting once (its last value).
#pragma once

#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include <simdjson.h>

namespace kiln::query {

using Member = std::pair<std::string_view, simdjson::dom::element>;

inline std::vector<Member> sorted_members(simdjson::dom::object object) {
  std::vector<Member> members;
  for (auto field : object) members.emplace_back(field.key, field.value);
  std::stable_sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.first < b.first; });
  std::vector<Member> out;
  for (size_t i = 0; i < members.size(); ++i) {
    if (i + 1 < members.size() && members[i + 1].first == members[i].first) continue;
    out.push_back(members[i]);
  }
  return out;
}

}  // namespace kiln::query
