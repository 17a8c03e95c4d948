#include "query/executor.h"

#include <algorithm>
#include <limits>

#include "util/parallel.h"
#include "request/request.h"
#include "store/index.h"

namespace kiln::query {

Query parse_query(const Request& req) {
  Query q;
  simdjson::dom::element e;
  if (req.member("where").get(e) == simdjson::SUCCESS) q.where = Where::parse(e);
  if (req.member("sort").get(e) == simdjson::SUCCESS) q.sort = parse_sort(e);
  uint64_t n;
  if (req.member("count").get_uint64().get(n) == simdjson::SUCCESS) q.count = n;
  if (req.member("offset").get_uint64().get(n) == simdjson::SUCCESS) q.offset = n;
  q.projection = Projection::parse(req.member("fields"), req.member("excludedFields"));
  q.joins = parse_joins(req.member("joins"));
  return q;
}

Executor::Executor(const Query& query, const Store& store, const Collection* collection)
    : q_(query), store_(store), coll_(collection), joins_(query.joins, store) {
  if (!joins_.empty()) {
    std::vector<const FieldPath*> paths;
    q_.where.collect_paths(paths);
    for (const SortSpec& s : q_.sort) paths.push_back(&s.path);
    for (const FieldPath* p : paths) {
      if (joins_.is_alias(p->head())) join_first_ = true;
    }
  }
}

bool Executor::make_hit(const DocRecord* r, Scratch& s) const {
  doc::Value d = r->value();
  if (join_first_) {
    std::vector<Embed> embeds;
    joins_.resolve(d, embeds, s.storage);
    if (!embeds.empty()) {
      s.storage.push_back(JoinResolver::materialize(d, embeds));
      d = doc::Value(s.storage.back());
    }
  }
  if (!q_.where.matches(d)) return false;
  s.matched = true;
  s.hits.push_back({r, d, q_.sort.empty() ? doc::Value() : q_.sort.front().path.lookup(d)});
  return true;
}

bool Executor::less(const Hit& a, const Hit& b) const {
  if (!q_.sort.empty()) {
    int c = sort_compare(a.first, b.first);
    if (c) return q_.sort.front().desc ? c > 0 : c < 0;
    for (size_t i = 1; i < q_.sort.size(); ++i) {
      const SortSpec& s = q_.sort[i];
      c = sort_compare(s.path.lookup(a.doc), s.path.lookup(b.doc));
      if (c) return s.desc ? c > 0 : c < 0;
    }
  }
  return a.record->key() < b.record->key();
}

// Keeps the best `limit` hits (unordered) once the list has grown enough.
void Executor::trim(std::vector<Hit>& hits, size_t limit) const {
  if (input_order_) {
    if (hits.size() > limit) hits.resize(limit);
    return;
  }
  if (hits.size() <= limit || hits.size() - limit < limit + 256) return;  // (overflow-safe for huge counts)
  std::nth_element(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(),
                   [this](const Hit& a, const Hit& b) { return less(a, b); });
  hits.resize(limit);
}

void Executor::order(std::vector<Hit>& hits, size_t limit) const {
  if (input_order_) {
    if (hits.size() > limit) hits.resize(limit);
    return;
  }
  auto cmp = [this](const Hit& a, const Hit& b) { return less(a, b); };
  if (limit < hits.size()) {
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(limit), hits.end(), cmp);
    hits.resize(limit);
  } else if (!std::is_sorted(hits.begin(), hits.end(), cmp)) {  // index buckets and key-ordered loads often are
    std::sort(hits.begin(), hits.end(), cmp);
  }
}

template <typename At>
std::vector<Hit> Executor::scan(size_t n, At at, size_t limit, bool* matched, size_t min_per_thread) {
  size_t threads = scan_threads(n, min_per_thread);
  size_t parts = scan_pieces(threads);
  std::vector<Scratch> scratch(parts);
  parallel_ranges(n, threads, parts, [&](size_t begin, size_t end, size_t part) {
    Scratch& s = scratch[part];
    constexpr size_t kAhead = 8;  // candidates from an index are scattered in RAM: fetch ahead
    for (size_t i = begin; i < end; ++i) {
      if (i + kAhead < end) DocRecord::prefetch(at(i + kAhead));
      if (make_hit(at(i), s)) trim(s.hits, limit);
    }
  });
  std::vector<Hit> hits = std::move(scratch[0].hits);
  for (size_t p = 0; p < parts; ++p) {
    *matched = *matched || scratch[p].matched;
    if (p > 0) hits.insert(hits.end(), scratch[p].hits.begin(), scratch[p].hits.end());
    if (!scratch[p].storage.empty()) storage_.push_back(std::move(scratch[p].storage));
  }
  order(hits, limit);
  return hits;
}

namespace {

bool indexable_scalar(const Operand& o) { return o.is_scalar && !o.is_null; }

}  // namespace

// Candidates from an index for one top-level ANDed condition: the smallest
// equality / $in bucket set, else a numeric range that is not too large.
bool Executor::plan_index(std::vector<const DocRecord*>& out) {
  if (!coll_ || coll_->indexes().empty()) return false;
  std::vector<const Condition*> conds;
  const Condition& root = q_.where.root();
  if (root.kind == Condition::Kind::kAnd) {
    for (const Condition& c : root.children) conds.push_back(&c);
  } else {
    conds.push_back(&root);
  }

  struct Choice {
    const Index* index;
    std::vector<std::string> keys;
    size_t size;
  };
  std::optional<Choice> best;
  const Index* range_index = nullptr;
  const Condition* range_cond = nullptr;
  for (const Condition* c : conds) {
    if (c->kind != Condition::Kind::kImplicitEq && c->kind != Condition::Kind::kOps) continue;
    if (joins_.is_alias(c->path.head())) continue;
    const Index* index = coll_->index(c->path.text());
    if (!index) continue;
    auto consider = [&](std::vector<std::string> keys) {
      size_t size = 0;
      for (const std::string& k : keys) {
        if (const RecordSet* set = index->find(k)) size += set->size();
      }
      if (!best || size < best->size) best = Choice{index, std::move(keys), size};
    };
    if (c->kind == Condition::Kind::kImplicitEq) {
      if (c->value.is_scalar) consider({Index::hash_key(c->value.value())});
      continue;
    }
    for (const Op& op : c->ops) {
      if (op.kind == OpKind::kEq && indexable_scalar(op.operand)) {
        consider({Index::hash_key(op.operand.value())});
      } else if (op.kind == OpKind::kIn &&
                 std::all_of(op.list.begin(), op.list.end(), [](const Operand& o) { return indexable_scalar(o); })) {
        std::vector<std::string> keys;
        for (const Operand& o : op.list) keys.push_back(Index::hash_key(o.value()));
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        consider(std::move(keys));
      } else if ((op.kind == OpKind::kGt || op.kind == OpKind::kGte || op.kind == OpKind::kLt ||
                  op.kind == OpKind::kLte) && op.operand.is_number && !range_index) {
        range_index = index;
        range_cond = c;
      }
    }
  }
  if (best) {
    access_ = AccessPath::kIndexEquality;
    out.reserve(best->size);
    for (const std::string& k : best->keys) {
      if (const RecordSet* set = best->index->find(k)) out.insert(out.end(), set->begin(), set->end());
    }
    return true;
  }
  if (!range_index) return false;

  double lo = -std::numeric_limits<double>::infinity(), hi = std::numeric_limits<double>::infinity();
  bool lo_incl = true, hi_incl = true;
  for (const Op& op : range_cond->ops) {
    if (!op.operand.is_number) continue;
    double x = op.operand.number;
    if ((op.kind == OpKind::kGt || op.kind == OpKind::kGte) && (x > lo || (x == lo && op.kind == OpKind::kGt))) {
      lo = x;
      lo_incl = op.kind == OpKind::kGte;
    } else if ((op.kind == OpKind::kLt || op.kind == OpKind::kLte) &&
               (x < hi || (x == hi && op.kind == OpKind::kLt))) {
      hi = x;
      hi_incl = op.kind == OpKind::kLte;
    }
  }
  const Index::Ordered& ordered = range_index->ordered();
  size_t budget = coll_->size() / 8 + 64;  // past this, a scan is cheaper
  Index::Entry bound{kNumberRank, lo, {}, nullptr};
  for (auto it = ordered.lower_bound(bound); it != ordered.end() && it->rank == kNumberRank; ++it) {
    if (!lo_incl && it->number == lo) continue;
    if (it->number > hi || (!hi_incl && it->number == hi)) break;
    if (out.size() >= budget) {
      out.clear();
      return false;
    }
    out.push_back(it->record);
  }
  access_ = AccessPath::kIndexRange;
  return true;
}

// Walks an ordered index in sort order, one group of equal first-sort
// values at a time, until `limit` results are certain.
bool Executor::run_index_order(size_t limit, std::vector<Hit>& out, bool* matched) {
  if (!coll_ || q_.sort.empty() || limit == std::numeric_limits<size_t>::max()) return false;
  const SortSpec& first = q_.sort.front();
  if (joins_.is_alias(first.path.head())) return false;
  const Index* index = coll_->index(first.path.text());
  if (!index) return false;
  access_ = AccessPath::kIndexOrder;
  Scratch s;
  auto walk = [&](auto begin, auto end) {
    for (auto it = begin; it != end;) {
      auto group_end = it;
      size_t before = s.hits.size();
      while (group_end != end && Index::same_value(*group_end, *it)) {
        make_hit(group_end->record, s);
        ++group_end;
      }
      std::sort(s.hits.begin() + static_cast<std::ptrdiff_t>(before), s.hits.end(),
                [this](const Hit& a, const Hit& b) { return less(a, b); });
      it = group_end;
      if (s.hits.size() >= limit) break;
    }
  };
  const Index::Ordered& ordered = index->ordered();
  if (first.desc) {
    walk(ordered.rbegin(), ordered.rend());
  } else {
    walk(ordered.begin(), ordered.end());
  }
  *matched = s.matched;
  if (s.hits.size() > limit) s.hits.resize(limit);
  out = std::move(s.hits);
  if (!s.storage.empty()) storage_.push_back(std::move(s.storage));
  return true;
}

std::vector<Hit> Executor::run(const std::vector<const DocRecord*>* records, bool* matched) {
  *matched = false;
  size_t limit = std::numeric_limits<size_t>::max();
  if (q_.count) {
    uint64_t l = q_.offset + *q_.count;
    if (l >= q_.offset && l < limit) limit = static_cast<size_t>(l);
  }
  std::vector<Hit> hits;
  if (records) {
    access_ = AccessPath::kKeys;
    input_order_ = q_.sort.empty();  // rc2's order is random; the request's is the useful one
    hits = scan(records->size(), [records](size_t i) { return (*records)[i]; }, limit, matched);
  } else if (coll_) {
    std::vector<const DocRecord*> candidates;
    if (plan_index(candidates)) {
      hits = scan(candidates.size(), [&candidates](size_t i) { return candidates[i]; }, limit, matched, 4096);
    } else if (!run_index_order(limit, hits, matched)) {
      access_ = AccessPath::kScan;
      hits = scan(coll_->size(), [this](size_t i) { return coll_->slot(i); }, limit, matched);
    }
  }
  if (q_.offset >= hits.size()) return {};
  hits.erase(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(q_.offset));
  return hits;
}

std::vector<Hit> Executor::all_matches() {
  bool matched = false;
  if (!coll_) return {};
  std::vector<const DocRecord*> candidates;
  size_t all = std::numeric_limits<size_t>::max();
  if (plan_index(candidates)) {
    return scan(candidates.size(), [&candidates](size_t i) { return candidates[i]; }, all, &matched, 4096);
  }
  access_ = AccessPath::kScan;
  return scan(coll_->size(), [this](size_t i) { return coll_->slot(i); }, all, &matched);
}

void Executor::write(const std::vector<Hit>& hits, bool single, std::string& out) const {
  std::vector<Embed> embeds;
  std::deque<std::string> storage;
  auto one = [&](const Hit& h) {
    embeds.clear();
    storage.clear();
    if (!joins_.empty()) joins_.resolve(h.record->value(), embeds, storage);
    write_shaped(h.record->value(), h.record->key(), !single, q_.projection, embeds, out);
  };
  if (single) {
    one(hits.front());
    return;
  }
  out.push_back('[');
  size_t threads = joins_.empty() ? scan_threads(hits.size(), 2048) : 1;
  if (threads <= 1) {
    out.reserve(out.size() + hits.size() * 64);
    for (size_t i = 0; i < hits.size(); ++i) {
      if (i) out.push_back(',');
      one(hits[i]);
    }
  } else {
    // Large results: each thread writes a contiguous slice, joined in order.
    std::vector<std::string> pieces(scan_pieces(threads));
    parallel_ranges(hits.size(), threads, pieces.size(), [&](size_t begin, size_t end, size_t part) {
      std::string& piece = pieces[part];
      piece.reserve((end - begin) * 64);
      std::vector<Embed> none;
      for (size_t i = begin; i < end; ++i) {
        if (i + 6 < end) DocRecord::prefetch(hits[i + 6].record);
        if (i) piece.push_back(',');
        write_shaped(hits[i].record->value(), hits[i].record->key(), true, q_.projection, none, piece);
      }
    });
    size_t total = out.size();
    for (const std::string& p : pieces) total += p.size();
    out.reserve(total + 1);
    for (const std::string& p : pieces) out += p;
  }
  out.push_back(']');
}

}  // namespace kiln::query
