// aggregate: $count $sum $avg $min $max over the documents matching
// `where`, optionally per `groupBy` value (QUERY.md "Beyond rc2").
//
// {"op":"aggregate","collection":c,"where":{..}?,"groupBy":path?,
//  "metrics":{name:{"$count"|"$sum"|"$avg"|"$min"|"$max": path}}}
// -> without groupBy one object {name: value, ...}; with groupBy an array
// of {"_group": value, name: value, ...}, ordered by group value (the sort
// order of `sort`), documents without the field grouped under null.
// $count counts documents where the path is present ("*" or "_key": all);
// $sum/$avg/$min/$max read numbers only and skip anything else; over no
// numbers $sum is 0 and $avg/$min/$max are null. Documents are never
// serialized: metrics read the encoded values.
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "doc/builder.h"
#include "doc/json_writer.h"
#include "query/executor.h"
#include "query/members.h"
#include "request/ops.h"
#include "util/error.h"
#include "util/names.h"

namespace kiln {
namespace {

enum class Metric { kCount, kSum, kAvg, kMin, kMax };

struct MetricSpec {
  std::string name;
  Metric kind;
  bool all = false;  // $count of every document
  query::FieldPath path;
};

struct Acc {
  uint64_t count = 0;   // $count; numbers seen otherwise
  int64_t int_sum = 0;
  bool int_exact = true;  // every number an integer, no overflow
  double sum = 0;
  doc::Value min, max;
};

std::vector<MetricSpec> parse_metrics(const Request& req) {
  simdjson::dom::object metrics;
  if (req.member("metrics").get(metrics) != simdjson::SUCCESS) {
    throw_invalid("Missing 'metrics' (object of name: {\"$count\"|\"$sum\"|\"$avg\"|\"$min\"|\"$max\": path})");
  }
  std::vector<MetricSpec> specs;
  for (const auto& [name, body] : query::sorted_members(metrics)) {
    auto bad = [&]() {
      throw_invalid("Invalid metric '" + std::string(name) +
                    "': expected {\"$count\"|\"$sum\"|\"$avg\"|\"$min\"|\"$max\": path}");
    };
    simdjson::dom::object obj;
    if (body.get_object().get(obj) != simdjson::SUCCESS || obj.size() != 1) bad();
    auto [op, arg] = *obj.begin();
    std::string_view path;
    if (arg.get_string().get(path) != simdjson::SUCCESS) bad();
    MetricSpec m{std::string(name), Metric::kCount, false, {}};
    if (op == "$count") {
      m.kind = Metric::kCount;
    } else if (op == "$sum") {
      m.kind = Metric::kSum;
    } else if (op == "$avg") {
      m.kind = Metric::kAvg;
    } else if (op == "$min") {
      m.kind = Metric::kMin;
    } else if (op == "$max") {
      m.kind = Metric::kMax;
    } else {
      bad();
    }
    if (m.kind == Metric::kCount && (path == "*" || path == "_key")) {
      m.all = true;
    } else {
      check_field_path(path);
      m.path = query::FieldPath(path);
    }
    specs.push_back(std::move(m));
  }
  return specs;
}

void add(const MetricSpec& m, Acc& a, doc::Value document) {
  if (m.kind == Metric::kCount) {
    if (m.all || m.path.lookup(document).valid()) ++a.count;
    return;
  }
  doc::Value v = m.path.lookup(document);
  if (!v.valid() || !v.is_number()) return;  // non-numeric values are skipped
  ++a.count;
  a.sum += v.as_double();
  if (v.tag() == doc::kInt) {
    if (a.int_exact && __builtin_add_overflow(a.int_sum, v.as_int(), &a.int_sum)) a.int_exact = false;
  } else {
    a.int_exact = false;
  }
  if (!a.min.valid() || v.as_double() < a.min.as_double()) a.min = v;
  if (!a.max.valid() || v.as_double() > a.max.as_double()) a.max = v;
}

void write_double(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  std::string enc;
  doc::put_double(enc, d);
  doc::write_json(doc::Value(enc), out);
}

void write_metric(const MetricSpec& m, const Acc& a, std::string& out) {
  switch (m.kind) {
    case Metric::kCount: out += std::to_string(a.count); break;
    case Metric::kSum:
      if (a.count == 0) {
        out += "0";
      } else if (a.int_exact) {
        out += std::to_string(a.int_sum);
      } else {
        write_double(a.sum, out);
      }
      break;
    case Metric::kAvg:
      if (a.count == 0) {
        out += "null";
      } else {
        write_double(a.sum / static_cast<double>(a.count), out);
      }
      break;
    case Metric::kMin:
    case Metric::kMax: {
      doc::Value v = m.kind == Metric::kMin ? a.min : a.max;
      if (v.valid()) {
        doc::write_json(v, out);
      } else {
        out += "null";
      }
      break;
    }
  }
}

// One row: `_group` (when grouping) and the metrics, keys in sorted order.
void write_row(const std::vector<MetricSpec>& specs, const std::vector<Acc>& accs, const doc::Value* group,
               std::string& out) {
  std::vector<std::pair<std::string_view, std::string>> members;
  if (group) {
    std::string v;
    doc::write_json(*group, v);
    members.emplace_back("_group", std::move(v));
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    std::string v;
    write_metric(specs[i], accs[i], v);
    members.emplace_back(specs[i].name, std::move(v));
  }
  std::stable_sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  out.push_back('{');
  for (size_t i = 0; i < members.size(); ++i) {
    if (i) out.push_back(',');
    doc::write_json_string(members[i].first, out);
    out.push_back(':');
    out += members[i].second;
  }
  out.push_back('}');
}

}  // namespace

std::string run_aggregate(const Request& req, const Store& store) {
  validate_request(req);
  check_properties(req, {"collection", "where", "groupBy", "metrics"});
  std::vector<MetricSpec> specs = parse_metrics(req);
  std::optional<query::FieldPath> group_by;
  if (req.has("groupBy")) {
    std::string_view path;
    if (req.member("groupBy").get(path) != simdjson::SUCCESS) throw_invalid("Invalid 'groupBy': expected a field path");
    check_field_path(path);
    group_by = query::FieldPath(path);
  }
  query::Query q;
  simdjson::dom::element where;
  if (req.member("where").get(where) == simdjson::SUCCESS) q.where = query::Where::parse(where);

  const Collection* coll = store.find(req.collection);
  query::Executor ex(q, store, coll);
  std::vector<query::Hit> hits = ex.all_matches();

  static const std::string null_bytes(1, static_cast<char>(doc::kNull));
  struct Group {
    doc::Value value;
    std::vector<Acc> accs;
  };
  std::vector<Group> groups;
  // Keyed by the canonical encoding: one value stored in two forms (older
  // data) is one group.
  absl::flat_hash_map<std::string, size_t> by_value;
  std::string canonical;
  if (!group_by) groups.push_back({doc::Value(null_bytes), std::vector<Acc>(specs.size())});
  for (const query::Hit& h : hits) {
    Group* g = group_by ? nullptr : &groups[0];
    if (group_by) {
      doc::Value v = group_by->lookup(h.doc);
      if (!v.valid()) v = doc::Value(null_bytes);
      canonical.clear();
      doc::put_canonical(canonical, v);
      auto [it, fresh] = by_value.emplace(canonical, groups.size());
      if (fresh) groups.push_back({v, std::vector<Acc>(specs.size())});
      g = &groups[it->second];
    }
    for (size_t i = 0; i < specs.size(); ++i) add(specs[i], g->accs[i], h.doc);
  }

  std::string out;
  if (!group_by) {
    write_row(specs, groups[0].accs, nullptr, out);
    return out;
  }
  std::sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    int c = query::sort_compare(a.value, b.value);
    return c ? c < 0 : a.value.bytes() < b.value.bytes();
  });
  out.push_back('[');
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i) out.push_back(',');
    write_row(specs, groups[i].accs, &groups[i].value, out);
  }
  out.push_back(']');
  return out;
}

}  // namespace kiln
