// set: insert or replace whole documents (QUERY.md "set").
#include <algorithm>
#include <optional>
#include <vector>

#include "doc/builder.h"
#include "doc/encoder.h"
#include "doc/json_writer.h"
#include "request/metadata.h"
#include "doc/json_parser.h"
#include "request/ops.h"
#include "util/error.h"
#include "util/uuid7.h"

namespace kiln {
namespace {

// The client's _v counts as a version (for the conflict check) only when it
// is a non-negative integer; any other value is ignored, as in rc2.
std::optional<uint64_t> client_version(simdjson::dom::element v) {
  uint64_t u;
  if (v.get_uint64().get(u) == simdjson::SUCCESS) return u;
  return std::nullopt;
}

// `extends: {alias: "coll.key"}` -> the referenced documents, to embed whole
// (with their metadata) under alias. Unresolvable references are skipped.
std::vector<std::pair<std::string, DocRef>> resolve_extends(simdjson::dom::object extends, const TxnView& view) {
  std::vector<std::pair<std::string, DocRef>> embeds;
  for (auto [alias, ref] : extends) {
    std::string_view target;
    if (ref.get_string().get(target) != simdjson::SUCCESS) continue;
    size_t dot = target.find('.');
    if (dot == std::string_view::npos) continue;
    if (DocRef found = view.find(target.substr(0, dot), target.substr(dot + 1))) {
      embeds.emplace_back(std::string(alias), std::move(found));
    }
  }
  return embeds;
}

}  // namespace

DocRef plan_set_item(std::string_view collection, std::string_view key, simdjson::dom::element doc,
                     const TxnView& view, const std::string& now_iso, uint64_t* version) {
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    *version = 0;  // non-objects are stored as they are, without metadata
    return DocRef::make(key, doc::encode(doc));
  }

  // The fields this write adds or replaces, encoded into `scratch` (sized up
  // front so the views into it stay valid).
  std::vector<std::pair<std::string, DocRef>> embeds;
  std::vector<std::string_view> drop;
  simdjson::dom::object extends;
  if (object["extends"].get(extends) == simdjson::SUCCESS) {
    drop.push_back("extends");
    embeds = resolve_extends(extends, view);
  }
  std::vector<doc::Field> extra;
  for (const auto& [alias, record] : embeds) extra.push_back({alias, record->bytes()});

  std::string scratch;
  scratch.reserve(64 + 2 * now_iso.size());
  auto add = [&](std::string_view name, auto&& put) {
    size_t begin = scratch.size();
    put(scratch);
    extra.push_back({name, std::string_view(scratch).substr(begin)});
  };

  DocRef existing = view.find(collection, key);
  simdjson::dom::element sent_v;
  bool has_sent_v = object[meta::kVersion].get(sent_v) == simdjson::SUCCESS;
  if (existing) {
    uint64_t stored = meta::stored_version(existing->value());
    if (has_sent_v) {
      std::optional<uint64_t> incoming = client_version(sent_v);
      if (incoming && *incoming <= stored) throw Error(Code::kConflict, "Conflict: Document version is outdated");
    }
    *version = stored + 1;
    add(meta::kVersion, [&](std::string& out) { doc::put_uint(out, *version); });
    doc::Value created = existing->value().is_object() ? existing->value().find(meta::kCreatedAt) : doc::Value();
    if (created.valid() && created.is_string()) {
      extra.push_back({meta::kCreatedAt, created.bytes()});
    } else {
      add(meta::kCreatedAt, [&](std::string& out) { doc::put_string(out, now_iso); });
    }
  } else {
    // A new document keeps a client _v exactly as sent, whatever its type.
    *version = has_sent_v ? client_version(sent_v).value_or(0) : 1;
    if (!has_sent_v) add(meta::kVersion, [](std::string& out) { doc::put_int(out, 1); });
    add(meta::kCreatedAt, [&](std::string& out) { doc::put_string(out, now_iso); });
  }
  add(meta::kModifiedAt, [&](std::string& out) { doc::put_string(out, now_iso); });

  std::string encoded;
  doc::encode_object_with(object, extra, drop, encoded);
  return DocRef::make(key, encoded);
}

std::string run_set(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "data"});
  validate_request(req);

  simdjson::dom::element data;
  if (req.member("data").get(data) != simdjson::SUCCESS || !(data.is_object() || data.is_array())) {
    throw_invalid("Missing 'data' (object or array)");
  }

  // Every item is planned against the view as it was before this request
  // (so `extends` cannot see the request's own items, as in rc2), then put.
  std::vector<DocRef> records;
  std::string ids;
  uint64_t version;
  if (data.is_object()) {
    // In key order; a key repeated in the JSON counts once, its last value.
    std::vector<std::pair<std::string_view, simdjson::dom::element>> items;
    for (auto [key, doc] : doc::as_object(data)) items.emplace_back(key, doc);
    std::stable_sort(items.begin(), items.end(), [](auto& a, auto& b) { return a.first < b.first; });
    for (size_t i = 0; i < items.size(); ++i) {
      if (i + 1 < items.size() && items[i + 1].first == items[i].first) continue;
      records.push_back(plan_set_item(req.collection, items[i].first, items[i].second, view, req.now_iso, &version));
    }
  } else {
    for (simdjson::dom::element doc : doc::as_array(data)) {
      std::string key = make_uuid7(req.now_ms);
      ids += ids.empty() ? "" : ",";
      doc::write_json_string(key, ids);
      records.push_back(plan_set_item(req.collection, key, doc, view, req.now_iso, &version));
    }
  }
  size_t count = records.size();
  for (DocRef& r : records) view.put(req.collection, std::move(r));

  std::string out = "{\"count\":" + std::to_string(count);
  if (data.is_array()) out += ",\"ids\":[" + ids + "]";
  return out + ",\"status\":\"ok\"}";
}

}  // namespace kiln
