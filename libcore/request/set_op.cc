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

// Per-thread buffers of plan_set_item, and the encoded timestamp of the
// request being planned (one per request, not per document).
struct PlanScratch {
  std::vector<doc::Field> extra;
  std::string version;  // the encoded _v of a replaced document
  std::string created;  // its createdAt, in the current encoding
  std::string encoded;
  std::string stamp_iso;
  std::string stamp;
  std::string encoded_one = [] {
    std::string one;
    doc::put_int(one, 1);
    return one;
  }();

  std::string_view encoded_stamp(const std::string& now_iso) {
    if (stamp.empty() || now_iso != stamp_iso) {
      stamp_iso = now_iso;
      stamp.clear();
      doc::put_string(stamp, now_iso);
    }
    return stamp;
  }
};

// Not inlined, so that the address of the thread's scratch is looked up once
// per document, not at every use (see thread_encoder in doc/encoder.cc).
[[gnu::noipa]] PlanScratch& plan_scratch() {
  thread_local PlanScratch scratch;
  return scratch;
}

}  // namespace

DocRef plan_set_item(std::string_view collection, std::string_view key, simdjson::dom::element doc,
                     const TxnView& view, const std::string& now_iso, uint64_t* version, size_t* depth) {
  simdjson::dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) {
    *version = 0;  // non-objects are stored as they are, without metadata
    std::string encoded;
    size_t deepest = doc::encode(doc, encoded);
    if (depth) *depth = deepest;
    return DocRef::make(key, encoded);
  }

  // The two members with a meaning, found in one pass (the first of each
  // name, as object[name] would).
  std::optional<simdjson::dom::element> extends_member, sent_v;
  for (simdjson::dom::key_value_pair field : object) {
    if (field.key == meta::kVersion) {
      if (!sent_v) sent_v = field.value;
    } else if (field.key == "extends" && !extends_member) {
      extends_member = field.value;
    }
  }
  bool has_sent_v = sent_v.has_value();

  // The fields this write adds or replaces (`extra`, already encoded).
  std::vector<std::pair<std::string, DocRef>> embeds;
  std::vector<std::string_view> drop;
  simdjson::dom::object extends;
  if (extends_member && extends_member->get_object().get(extends) == simdjson::SUCCESS) {
    drop.push_back("extends");
    embeds = resolve_extends(extends, view);
  }
  // Reused across items (and requests) of this thread: planning a document
  // then allocates nothing but its record.
  PlanScratch& sc = plan_scratch();
  std::vector<doc::Field>& extra = sc.extra;
  extra.clear();
  for (const auto& [alias, record] : embeds) extra.push_back({alias, record->bytes()});
  std::string_view stamp = sc.encoded_stamp(now_iso);

  DocRef existing = view.find(collection, key);
  if (existing) {
    uint64_t stored = meta::stored_version(existing->value());
    if (has_sent_v) {
      std::optional<uint64_t> incoming = client_version(*sent_v);
      if (incoming && *incoming <= stored) throw Error(Code::kConflict, "Conflict: Document version is outdated");
    }
    *version = stored + 1;
    sc.version.clear();
    doc::put_uint(sc.version, *version);
    extra.push_back({meta::kVersion, sc.version});
    doc::Value created = existing->value().is_object() ? existing->value().find(meta::kCreatedAt) : doc::Value();
    if (created.valid() && created.is_string()) {
      sc.created.clear();
      doc::put_canonical(sc.created, created);  // a document stored in an older form
      extra.push_back({meta::kCreatedAt, sc.created});
    } else {
      extra.push_back({meta::kCreatedAt, stamp});
    }
  } else {
    // A new document keeps a client _v exactly as sent, whatever its type.
    *version = 1;
    if (!has_sent_v) extra.push_back({meta::kVersion, sc.encoded_one});
    extra.push_back({meta::kCreatedAt, stamp});
  }
  extra.push_back({meta::kModifiedAt, stamp});

  sc.encoded.clear();
  size_t deepest = doc::encode_object_with(object, extra, drop, sc.encoded);
  if (depth) *depth = extends_member ? std::max(deepest, 1 + doc::json_depth(*extends_member)) : deepest;
  // A client _v is stored as sent (the last of repeated ones): read it back.
  if (!existing && has_sent_v) *version = meta::stored_version(doc::Value(sc.encoded));
  return DocRef::make(key, sc.encoded);
}

namespace {

// run_set after its property check; the depth of data's items is measured
// while they are encoded, and checked before anything is put.
std::string set_items(const Request& req, TxnView& view) {
  validate_request(req, DataItems::kDepthByCaller);

  simdjson::dom::element data;
  if (req.member("data").get(data) != simdjson::SUCCESS || !(data.is_object() || data.is_array())) {
    throw_invalid("Missing 'data' (object or array)");
  }

  // Every item is planned against the view as it was before this request
  // (so `extends` cannot see the request's own items, as in rc2), then put.
  std::vector<std::pair<DocRef, uint64_t>> records;  // with each record's stored _v
  records.reserve(data.is_object() ? doc::as_object(data).size() : doc::as_array(data).size());
  std::string ids;
  uint64_t version;
  size_t depth, deepest = 0;  // of the items, each counted from itself
  if (data.is_object()) {
    // In key order; a key repeated in the JSON counts once, its last value.
    std::vector<std::pair<std::string_view, simdjson::dom::element>> items;
    items.reserve(doc::as_object(data).size());
    for (auto [key, doc] : doc::as_object(data)) items.emplace_back(key, doc);
    auto by_key = [](auto& a, auto& b) { return a.first < b.first; };
    if (!std::is_sorted(items.begin(), items.end(), by_key)) std::stable_sort(items.begin(), items.end(), by_key);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i + 1 < items.size() && items[i + 1].first == items[i].first) {
        deepest = std::max(deepest, doc::json_depth(items[i].second));
        continue;
      }
      DocRef record =
          plan_set_item(req.collection, items[i].first, items[i].second, view, req.now_iso, &version, &depth);
      records.emplace_back(std::move(record), version);
      deepest = std::max(deepest, depth);
    }
  } else {
    for (simdjson::dom::element doc : doc::as_array(data)) {
      std::string key = make_uuid7(req.now_ms);
      ids += ids.empty() ? "" : ",";
      doc::write_json_string(key, ids);
      DocRef record = plan_set_item(req.collection, key, doc, view, req.now_iso, &version, &depth);
      records.emplace_back(std::move(record), version);
      deepest = std::max(deepest, depth);
    }
  }
  // Items sit two levels below the body (body.data.item).
  if (2 + deepest > req.limits->max_depth) doc::check_depth(req.body, *req.limits);
  size_t count = records.size();
  view.reserve(records.size());
  for (auto& [record, v] : records) view.put(req.collection, std::move(record), v);

  std::string out = "{\"count\":" + std::to_string(count);
  if (data.is_array()) out += ",\"ids\":[" + ids + "]";
  return out + ",\"status\":\"ok\"}";
}

}  // namespace

std::string run_set(const Request& req, TxnView& view) {
  check_properties(req, {"collection", "data"});
  // A request too deep reports that ahead of any other error, as when
  // validate_request walked the whole body first: every error re-checks it.
  try {
    return set_items(req, view);
  } catch (const Error&) {
    doc::check_depth(req.body, *req.limits);
    throw;
  }
}

}  // namespace kiln
