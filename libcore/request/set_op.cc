// set: insert or replace whole documents (QUERY.md "set").
#include <algorithm>
#include <exception>
#include <optional>
#include <span>
#include <vector>

#include "doc/builder.h"
#include "doc/encoder.h"
#include "doc/json_writer.h"
#include "request/metadata.h"
#include "doc/json_parser.h"
#include "util/parallel.h"
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
std::vector<std::pair<std::string, DocRef>> resolve_extends(simdjson::dom::object extends, const TxnReader& view) {
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
                     const TxnReader& view, const std::string& now_iso, uint64_t* version, size_t* depth) {
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

// Requests with at least this many items plan them on several threads; a
// smaller one would spend more on waking a helper than it saves.
constexpr size_t kParallelItems = 64;

// One item of a set request, and what planning it gives.
struct SetItem {
  SetItem(std::string_view k, simdjson::dom::element d) : key(k), doc(d) {}
  std::string_view key;
  simdjson::dom::element doc;
  DocRef record;
  uint64_t version = 0;
  size_t depth = 0;
};

// Plans items[begin, end) in order, stopping at the first that throws (its
// exception goes to *error).
void plan_range(const Request& req, const TxnReader& view, std::span<SetItem> items, size_t begin, size_t end,
                std::exception_ptr* error) {
  for (size_t i = begin; i < end; ++i) {
    SetItem& item = items[i];
    try {
      item.record = plan_set_item(req.collection, item.key, item.doc, view, req.now_iso, &item.version, &item.depth);
    } catch (...) {
      *error = std::current_exception();
      return;
    }
  }
}

// Plans every item against `view`, those of a large request on several
// threads, and throws what the first item that fails (by position) throws,
// as planning them one after the other would.
void plan_items(const Request& req, const TxnView& view, std::span<SetItem> items) {
  size_t threads = items.size() >= kParallelItems ? scan_threads(items.size(), kParallelItems / 2) : 1;
  size_t pieces = scan_pieces(threads);
  std::vector<std::exception_ptr> errors(pieces);  // per piece: its first failure
  parallel_ranges(items.size(), threads, pieces, [&, reader = view.reader()](size_t begin, size_t end, size_t piece) {
    TxnReader mine = reader;  // its cache is this thread's
    plan_range(req, mine, items, begin, end, &errors[piece]);
  });
  for (const std::exception_ptr& error : errors) {
    if (error) std::rethrow_exception(error);  // pieces follow the input order
  }
}

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
  std::vector<SetItem> items;
  std::vector<std::string> keys;  // generated ones (array data)
  std::string ids;
  size_t deepest = 0;  // of the items, each counted from itself
  if (data.is_object()) {
    // In key order; a key repeated in the JSON counts once, its last value.
    items.reserve(doc::as_object(data).size());
    for (auto [key, doc] : doc::as_object(data)) items.emplace_back(key, doc);
    auto by_key = [](const SetItem& a, const SetItem& b) { return a.key < b.key; };
    if (!std::is_sorted(items.begin(), items.end(), by_key)) std::stable_sort(items.begin(), items.end(), by_key);
    size_t kept = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i + 1 < items.size() && items[i + 1].key == items[i].key) {
        deepest = std::max(deepest, doc::json_depth(items[i].doc));
        continue;
      }
      if (kept != i) items[kept] = std::move(items[i]);
      ++kept;
    }
    items.erase(items.begin() + static_cast<std::ptrdiff_t>(kept), items.end());
  } else {
    items.reserve(doc::as_array(data).size());
    keys.reserve(doc::as_array(data).size());  // never reallocated: items keep views of these keys
    for (simdjson::dom::element doc : doc::as_array(data)) {
      keys.push_back(make_uuid7(req.now_ms));
      ids += ids.empty() ? "" : ",";
      doc::write_json_string(keys.back(), ids);
      items.emplace_back(keys.back(), doc);
    }
  }
  plan_items(req, view, items);
  for (const SetItem& item : items) deepest = std::max(deepest, item.depth);
  // Items sit two levels below the body (body.data.item).
  if (2 + deepest > req.limits->max_depth) doc::check_depth(req.body, *req.limits);
  view.reserve(items.size());
  for (SetItem& item : items) view.put(req.collection, std::move(item.record), item.version);

  std::string out = "{\"count\":" + std::to_string(items.size());
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
