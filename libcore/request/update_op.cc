// update: shallow-merge patches into existing documents (QUERY.md "update").
#include <algorithm>
#include <vector>

#include "doc/builder.h"
#include "doc/encoder.h"
#include "doc/path.h"
#include "request/metadata.h"
#include "request/ops.h"
#include "util/error.h"
#include "util/names.h"

namespace kiln {
namespace {

constexpr std::string_view kUnset = "$unset";

// The paths a patch's "$unset" names, validated.
std::vector<std::string_view> unset_paths(simdjson::dom::object patch) {
  std::vector<std::string_view> paths;
  simdjson::dom::element unset;
  if (patch[kUnset].get(unset) != simdjson::SUCCESS) return paths;
  simdjson::dom::array list;
  if (unset.get_array().get(list) != simdjson::SUCCESS) {
    throw_invalid("Invalid '$unset': expected an array of field paths");
  }
  for (simdjson::dom::element p : list) {
    std::string_view path;
    if (p.get_string().get(path) != simdjson::SUCCESS) {
      throw_invalid("Invalid '$unset': expected an array of field paths");
    }
    check_field_path(path);
    paths.push_back(path);
  }
  return paths;
}

std::string merge(doc::Value stored, simdjson::dom::object patch, const std::string& now_iso) {
  std::vector<std::string_view> unset = unset_paths(patch);
  doc::ObjectEditor editor(stored);
  std::string scratch;
  for (auto [field, value] : patch) {
    // _v is a guard and createdAt immutable: neither is copied from a patch.
    if (field == meta::kVersion || field == meta::kCreatedAt || field == kUnset) continue;
    scratch.clear();
    doc::encode(value, scratch);
    editor.set(field, scratch);
  }
  scratch.clear();
  doc::put_uint(scratch, meta::stored_version(stored) + 1);
  editor.set(meta::kVersion, scratch);
  scratch.clear();
  doc::put_string(scratch, now_iso);
  editor.set(meta::kModifiedAt, scratch);
  std::string merged = editor.build();
  for (std::string_view path : unset) merged = doc::remove_path(doc::Value(merged), doc::split_path(path));
  return merged;
}

}  // namespace

std::string run_update(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "data"});
  validate_request(req);

  simdjson::dom::object data;
  if (req.member("data").get(data) != simdjson::SUCCESS) throw_invalid("Missing 'data' map");

  std::vector<std::pair<std::string_view, simdjson::dom::element>> items;
  for (auto [key, patch] : data) items.emplace_back(key, patch);
  std::stable_sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.first < b.first; });

  size_t updated = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i + 1 < items.size() && items[i + 1].first == items[i].first) continue;  // last duplicate wins
    auto [key, patch] = items[i];
    DocRef existing = view.find(req.collection, key);
    if (!existing) continue;  // no upsert: a missing key is skipped, not counted
    ++updated;
    simdjson::dom::object patch_object;
    if (patch.get_object().get(patch_object) != simdjson::SUCCESS) continue;  // counted, unchanged (rc2)

    simdjson::dom::element guard;
    uint64_t guard_v;
    if (patch_object[meta::kVersion].get(guard) == simdjson::SUCCESS && guard.get_uint64().get(guard_v) == simdjson::SUCCESS &&
        guard_v != meta::stored_version(existing->value())) {
      throw Error(Code::kConflict, "Conflict: Document version is outdated");
    }
    if (!existing->value().is_object()) continue;  // counted, unchanged (rc2)
    view.put(req.collection, DocRef::make(key, merge(existing->value(), patch_object, req.now_iso)));
  }
  return "{\"status\":\"ok\",\"updated\":" + std::to_string(updated) + "}";
}

}  // namespace kiln
