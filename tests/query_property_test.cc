// Property-based checks of the query engine on random documents and random
// queries (fixed seeds, so failures reproduce):
//  1. the engine agrees with a small reference evaluator written here from
//     QUERY.md's rules alone (its own value type, rc2's literal pairwise
//     sort rule, no engine code);
//  2. a database with secondary indexes answers exactly as one without.
#include <gtest/gtest.h>

#include <cstdlib>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "support/test_db.h"

namespace kiln::testing {
namespace {

// ---- A JSON value for the reference -------------------------------------

struct J {
  enum T { kNull, kBool, kInt, kDbl, kStr, kArr, kObj } t = kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  std::vector<J> a;
  std::vector<std::pair<std::string, J>> o;  // keys sorted
};

J jint(int64_t v) { J j; j.t = J::kInt; j.i = v; return j; }
J jdbl(double v) { J j; j.t = J::kDbl; j.d = v; return j; }
J jstr(std::string v) { J j; j.t = J::kStr; j.s = std::move(v); return j; }
J jbool(bool v) { J j; j.t = J::kBool; j.b = v; return j; }

std::string text(const J& j) {
  switch (j.t) {
    case J::kNull: return "null";
    case J::kBool: return j.b ? "true" : "false";
    case J::kInt: return std::to_string(j.i);
    case J::kDbl: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.1f", j.d);
      return buf;
    }
    case J::kStr: return "\"" + j.s + "\"";
    case J::kArr: {
      std::string out = "[";
      for (size_t k = 0; k < j.a.size(); ++k) out += (k ? "," : "") + text(j.a[k]);
      return out + "]";
    }
    case J::kObj: {
      std::string out = "{";
      for (size_t k = 0; k < j.o.size(); ++k) out += (k ? ",\"" : "\"") + j.o[k].first + "\":" + text(j.o[k].second);
      return out + "}";
    }
  }
  return "";
}

bool strict_eq(const J& x, const J& y) { return x.t == y.t && text(x) == text(y); }
bool is_num(const J& j) { return j.t == J::kInt || j.t == J::kDbl; }
double num(const J& j) { return j.t == J::kInt ? static_cast<double>(j.i) : j.d; }
std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
bool query_eq(const J& field, const J& operand) {
  if (field.t == J::kStr && operand.t == J::kStr) return lower(field.s) == lower(operand.s);
  return strict_eq(field, operand);
}

const J* lookup(const J& root, const std::string& path) {
  const J* cur = &root;
  size_t start = 0;
  while (true) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur->t != J::kObj) return nullptr;
    const J* next = nullptr;
    for (const auto& [k, v] : cur->o) {
      if (k == part) next = &v;
    }
    if (!next) return nullptr;
    cur = next;
    if (dot == std::string::npos) return cur;
    start = dot + 1;
  }
}

// ---- Queries ------------------------------------------------------------

struct Op {
  std::string name;
  J operand;
  std::vector<Op> sub;  // $not
};

struct Cond {
  enum Kind { kImplicit, kOps, kOr, kAnd } kind;
  std::string path;
  J value;
  std::vector<Op> ops;
  std::vector<std::vector<Cond>> alternatives;  // $or / $and: each a where object
};

std::string ops_json(const std::vector<Op>& ops) {
  std::string out = "{";
  for (size_t k = 0; k < ops.size(); ++k) {
    out += (k ? ",\"" : "\"") + ops[k].name + "\":" + (ops[k].name == "$not" ? ops_json(ops[k].sub) : text(ops[k].operand));
  }
  return out + "}";
}

std::string where_json(const std::vector<Cond>& conds);

std::string cond_member(const Cond& c) {
  switch (c.kind) {
    case Cond::kImplicit: return "\"" + c.path + "\":" + text(c.value);
    case Cond::kOps: return "\"" + c.path + "\":" + ops_json(c.ops);
    default: {
      std::string out = c.kind == Cond::kOr ? "\"$or\":[" : "\"$and\":[";
      for (size_t k = 0; k < c.alternatives.size(); ++k) out += (k ? "," : "") + where_json(c.alternatives[k]);
      return out + "]";
    }
  }
}

std::string where_json(const std::vector<Cond>& conds) {
  std::string out = "{";
  for (size_t k = 0; k < conds.size(); ++k) out += (k ? "," : "") + cond_member(conds[k]);
  return out + "}";
}

bool eval_op(const Op& op, const J* f) {
  static const J null_value;
  const J& v = f ? *f : null_value;  // in operator form a missing field counts as null
  const std::string& n = op.name;
  if (n == "$eq") return query_eq(v, op.operand);
  if (n == "$ne") return !query_eq(v, op.operand);
  if (n == "$gt" || n == "$gte" || n == "$lt" || n == "$lte") {
    if (!f || !is_num(*f) || !is_num(op.operand)) return false;
    double x = num(*f), y = num(op.operand);
    return n == "$gt" ? x > y : n == "$gte" ? x >= y : n == "$lt" ? x < y : x <= y;
  }
  if (n == "$contains") {
    if (!f) return false;
    if (f->t == J::kStr) return op.operand.t == J::kStr && lower(f->s).find(lower(op.operand.s)) != std::string::npos;
    if (f->t == J::kArr) {
      for (const J& e : f->a) {
        if (strict_eq(e, op.operand)) return true;
      }
    }
    return false;
  }
  if (n == "$in" || n == "$nin") {
    bool any = false;
    for (const J& e : op.operand.a) any = any || query_eq(v, e);
    return n == "$in" ? any : !any;
  }
  if (n == "$exists") return (f != nullptr) == op.operand.b;
  if (n == "$not") {
    for (const Op& s : op.sub) {
      if (!eval_op(s, f)) return true;
    }
    return false;
  }
  ADD_FAILURE() << "reference: unknown op " << n;
  return false;
}

bool eval(const std::vector<Cond>& conds, const J& d) {
  for (const Cond& c : conds) {
    bool ok = true;
    if (c.kind == Cond::kImplicit) {
      const J* f = lookup(d, c.path);
      ok = f && query_eq(*f, c.value);
    } else if (c.kind == Cond::kOps) {
      const J* f = lookup(d, c.path);
      for (const Op& op : c.ops) ok = ok && eval_op(op, f);
    } else if (c.kind == Cond::kOr) {
      ok = false;
      for (const auto& alt : c.alternatives) ok = ok || eval(alt, d);
    } else {
      for (const auto& alt : c.alternatives) ok = ok && eval(alt, d);
    }
    if (!ok) return false;
  }
  return true;
}

// rc2's pairwise sort rule, literally.
int sort_cmp(const J* x, const J* y) {
  if (!x && !y) return 0;
  if (!x) return 1;
  if (!y) return -1;
  if (is_num(*x) && is_num(*y)) return num(*x) < num(*y) ? -1 : num(*x) > num(*y) ? 1 : 0;
  if (x->t == J::kStr && y->t == J::kStr) return x->s.compare(y->s) < 0 ? -1 : x->s == y->s ? 0 : 1;
  int c = text(*x).compare(text(*y));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

struct Sort {
  std::string path;
  bool desc;
};

// ---- Random generation ----------------------------------------------------

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return pick(100) < percent; }

  J scalar() {
    switch (pick(7)) {
      case 0: return jint(pick(7) - 3);
      case 1: return jdbl(pick(9) / 2.0 - 2);  // x.0 and x.5
      case 2: return jstr(words()[static_cast<size_t>(pick(static_cast<int>(words().size())))]);
      case 3: return J{};
      case 4: return jbool(chance(50));
      default: return jint(pick(4));
    }
  }
  J value() {
    if (chance(12)) {
      J arr;
      arr.t = J::kArr;
      int n = pick(3);
      for (int k = 0; k < n; ++k) arr.a.push_back(chance(50) ? jint(pick(3)) : jstr(words()[static_cast<size_t>(pick(4))]));
      return arr;
    }
    if (chance(6)) {
      J obj;
      obj.t = J::kObj;
      obj.o.push_back({"x", jint(pick(3))});
      return obj;
    }
    return scalar();
  }
  J document() {
    J d;
    d.t = J::kObj;
    // Keys must stay sorted: a, b, c, t.
    if (chance(85)) d.o.push_back({"a", value()});
    if (chance(80)) d.o.push_back({"b", chance(85) ? jstr(colors()[static_cast<size_t>(pick(6))]) : jint(pick(3))});
    if (chance(75)) {
      J c;
      if (chance(85)) {
        c.t = J::kObj;
        c.o.push_back({"d", chance(80) ? jint(pick(6)) : jstr(words()[static_cast<size_t>(pick(4))])});
      } else {
        c = jint(3);
      }
      d.o.push_back({"c", c});
    }
    if (chance(60)) {
      J t;
      t.t = J::kArr;
      int n = pick(4);
      for (int k = 0; k < n; ++k) t.a.push_back(jstr(words()[static_cast<size_t>(pick(4))]));
      d.o.push_back({"t", t});
    }
    return d;
  }
  std::string path() {
    static const char* paths[] = {"a", "b", "c.d", "t", "c", "zz"};
    return paths[pick(6)];
  }
  J operand(const std::string& path) {
    if (path == "b" && chance(70)) return jstr(colors()[static_cast<size_t>(pick(6))]);
    return value();
  }
  Op op(const std::string& path, int depth) {
    static const char* names[] = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$contains", "$in", "$nin", "$exists", "$not"};
    Op o;
    o.name = names[pick(depth > 0 ? 10 : 11)];
    if (o.name == "$in" || o.name == "$nin") {
      o.operand.t = J::kArr;
      int n = pick(4);
      for (int k = 0; k < n; ++k) o.operand.a.push_back(operand(path));
    } else if (o.name == "$exists") {
      o.operand = jbool(chance(50));
    } else if (o.name == "$not") {
      o.sub.push_back(op(path, depth + 1));
    } else if (o.name == "$contains" && chance(50)) {
      o.operand = jstr(std::string(1, "abxyABXY"[pick(8)]));
    } else {
      o.operand = operand(path);
    }
    return o;
  }
  std::vector<Cond> where(int depth) {
    std::vector<Cond> conds;
    std::vector<std::string> used;
    int n = pick(3) + (depth == 0 ? 0 : 1);
    for (int k = 0; k < n; ++k) {
      Cond c;
      int kind = pick(depth < 2 ? 5 : 3);
      if (kind >= 3) {
        c.kind = kind == 3 ? Cond::kOr : Cond::kAnd;
        std::string name = kind == 3 ? "$or" : "$and";
        if (std::find(used.begin(), used.end(), name) != used.end()) continue;
        used.push_back(name);
        int alts = pick(3);
        for (int a = 0; a < alts; ++a) c.alternatives.push_back(where(depth + 1));
      } else {
        c.path = path();
        if (std::find(used.begin(), used.end(), c.path) != used.end()) continue;  // one condition per key
        used.push_back(c.path);
        if (kind == 0) {
          c.kind = Cond::kImplicit;
          c.value = operand(c.path);
          if (c.value.t == J::kObj) c.value = jint(1);  // an object is an operator map, not a literal
        } else {
          c.kind = Cond::kOps;
          std::vector<std::string> names;
          int ops = 1 + pick(2);
          for (int o = 0; o < ops; ++o) {
            Op x = op(c.path, 0);
            if (std::find(names.begin(), names.end(), x.name) != names.end()) continue;
            names.push_back(x.name);
            c.ops.push_back(std::move(x));
          }
        }
      }
      conds.push_back(std::move(c));
    }
    return conds;
  }
  std::vector<Sort> sort() {
    std::vector<Sort> specs;
    int n = pick(3);
    for (int k = 0; k < n; ++k) specs.push_back({path(), chance(50)});
    return specs;
  }

 private:
  static const std::vector<std::string>& words() {
    static const std::vector<std::string> w = {"ab", "AB", "b", "xy", "", "Xa", "ya"};
    return w;
  }
  static const std::vector<std::string>& colors() {
    static const std::vector<std::string> c = {"red", "Red", "RED", "blue", "green", "Blue"};
    return c;
  }
  std::mt19937 rng_;
};

struct Data {
  std::vector<std::string> keys;
  std::vector<J> docs;
};

Data load(Gen& g, int n, const std::vector<const TestDb*>& dbs) {
  Data data;
  std::string batch;
  for (int k = 0; k < n; ++k) {
    char key[16];
    std::snprintf(key, sizeof key, "k%05d", k);
    data.keys.push_back(key);
    data.docs.push_back(g.document());
    batch += (batch.empty() ? "\"" : ",\"") + std::string(key) + "\":" + text(data.docs.back());
    if (k % 500 == 499 || k == n - 1) {
      for (const TestDb* db : dbs) db->ok(R"({"op":"set","collection":"r","data":{)" + batch + "}}");
      batch.clear();
    }
  }
  return data;
}

// The reference answer: "<none>" (NOT_FOUND), or the keys in order.
std::string reference(const Data& data, const std::vector<Cond>& where, const std::vector<Sort>& sort,
                      std::optional<int> count, int offset) {
  std::vector<size_t> hits;
  for (size_t k = 0; k < data.docs.size(); ++k) {
    if (eval(where, data.docs[k])) hits.push_back(k);
  }
  if (hits.empty() || (count && *count == 0)) return "<none>";
  std::stable_sort(hits.begin(), hits.end(), [&](size_t x, size_t y) {
    for (const Sort& s : sort) {
      int c = sort_cmp(lookup(data.docs[x], s.path), lookup(data.docs[y], s.path));
      if (c) return s.desc ? c > 0 : c < 0;
    }
    return data.keys[x] < data.keys[y];
  });
  std::string out;
  for (size_t k = static_cast<size_t>(offset); k < hits.size() && (!count || k < static_cast<size_t>(offset + *count)); ++k) {
    out += (out.empty() ? "" : ",") + data.keys[hits[k]];
  }
  return out;
}

std::string request(const std::vector<Cond>& where, const std::vector<Sort>& sort, std::optional<int> count, int offset,
                    const std::string& extra) {
  std::string r = R"({"op":"get","collection":"r","where":)" + where_json(where);
  if (!sort.empty()) {
    r += ",\"sort\":[";
    for (size_t k = 0; k < sort.size(); ++k) {
      r += (k ? "," : "") + std::string("{\"field\":\"") + sort[k].path + "\",\"order\":\"" + (sort[k].desc ? "desc" : "asc") + "\"}";
    }
    r += "]";
  }
  if (count) r += ",\"count\":" + std::to_string(*count);
  if (offset) r += ",\"offset\":" + std::to_string(offset);
  return r + extra + "}";
}

std::string answer(const TestDb& db, const std::string& req) {
  Result r = db.run(req);
  if (r.status == KILN_NOT_FOUND) return "<none>";
  if (!r.ok()) return "<error " + r.body + ">";
  return keys_of(r.body);
}

void run_rounds(uint32_t seed, int docs, int queries) {
  Gen g(seed);
  TestDb plain, indexed;
  for (const char* f : {"a", "b", "c.d", "t", "c"}) {
    indexed.ok(std::string(R"({"op":"index","collection":"r","field":")") + f + "\"}");
  }
  Data data = load(g, docs, {&plain, &indexed});
  int non_empty = 0;
  for (int q = 0; q < queries; ++q) {
    std::vector<Cond> where = g.where(0);
    std::vector<Sort> sort = g.sort();
    std::optional<int> count;
    if (g.chance(50)) count = g.pick(12);
    int offset = g.chance(30) ? g.pick(6) : 0;
    std::string req = request(where, sort, count, offset, R"(,"fields":["_v"])");
    std::string want = reference(data, where, sort, count, offset);
    ASSERT_EQ(answer(plain, req), want) << "seed " << seed << " query " << q << ": " << req;
    if (want != "<none>" && !want.empty()) ++non_empty;
    // Whole documents: indexed and unindexed answers are identical.
    std::string full = request(where, sort, count, offset, "");
    Result a = plain.run(full), b = indexed.run(full);
    ASSERT_EQ(a.status, b.status) << full;
    ASSERT_TRUE(mask_times(a.body) == mask_times(b.body)) << full;  // the two loads may straddle a second
    if (q % 10 == 0) {
      std::string agg = R"({"op":"aggregate","collection":"r","groupBy":"b","where":)" + where_json(where) +
                        R"(,"metrics":{"n":{"$count":"*"},"s":{"$sum":"c.d"},"m":{"$max":"a"}}})";
      ASSERT_EQ(plain.ok(agg), indexed.ok(agg)) << agg;
    }
  }
  EXPECT_GT(non_empty, queries / 4) << "the generator should produce mostly matching queries";
  // Delete by where removes the same documents with and without indexes.
  for (int q = 0; q < 5; ++q) {
    std::string del = R"({"op":"delete","collection":"r","where":)" + where_json(g.where(0)) + "}";
    ASSERT_EQ(plain.ok(del), indexed.ok(del)) << del;
    std::string all = R"({"op":"get","collection":"r","fields":["_v"]})";
    ASSERT_TRUE(plain.run(all).body == indexed.run(all).body) << del;
  }
}

// Sanitizer builds run 5-15x slower: their test presets set KILN_QUICK_TESTS
// to run fewer rounds of the same shape.
bool quick() { return std::getenv("KILN_QUICK_TESTS") != nullptr; }

TEST(QueryProperty, EngineMatchesReferenceAndIndexesChangeNothing) {
  for (uint32_t seed = 1; seed <= (quick() ? 2u : 6u); ++seed) run_rounds(seed, 400, 250);
}

TEST(QueryProperty, ParallelScansOfLargeCollections) {
  // Above the parallel-scan threshold: still the reference's answer.
  run_rounds(99, 70000, quick() ? 3 : 12);
}

}  // namespace
}  // namespace kiln::testing
