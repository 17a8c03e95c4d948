#include "query/where.h"

#include "doc/compare.h"
#include "doc/encoder.h"
#include "doc/json_parser.h"
#include "query/fold.h"
#include "query/members.h"
#include "util/error.h"

namespace kiln::query {
namespace {

using simdjson::dom::element;

[[noreturn]] void invalid_query(const std::string& detail) { throw_invalid("Invalid Query: " + detail); }


bool any_equal(doc::Value field, const std::vector<Operand>& list) {
  for (const Operand& o : list) {
    if (field.valid() ? query_equal(field, o) : o.is_null) return true;
  }
  return false;
}

std::vector<Operand> operand_list(std::string_view op, element e) {
  simdjson::dom::array arr;
  if (e.get_array().get(arr) != simdjson::SUCCESS) invalid_query(std::string(op) + " expects an array");
  std::vector<Operand> list;
  for (element item : arr) list.push_back(make_operand(item));
  return list;
}

std::shared_ptr<const std::regex> compile_regex(element pattern, simdjson::dom::object ops) {
  std::string_view text;
  if (pattern.get_string().get(text) != simdjson::SUCCESS) invalid_query("$regex expects a string");
  auto flags = std::regex::ECMAScript;
  element options;
  if (ops["$options"].get(options) == simdjson::SUCCESS) {
    std::string_view opts;
    if (options.get_string().get(opts) != simdjson::SUCCESS) invalid_query("$options expects a string");
    for (char c : opts) {
      if (c == 'i') {
        flags |= std::regex::icase;
      } else if (c == 'm') {
        flags |= std::regex::multiline;
      } else {
        invalid_query("Unsupported $options flag: " + std::string(1, c));
      }
    }
  }
  try {
    return std::make_shared<const std::regex>(std::string(text), flags);
  } catch (const std::regex_error& e) {
    invalid_query("Invalid $regex '" + std::string(text) + "': " + e.what());
  }
}

std::vector<Op> parse_ops(simdjson::dom::object object) {
  std::vector<Op> ops;
  for (const auto& [name, operand] : sorted_members(object)) {
    Op op{};
    if (name == "$eq" || name == "$equals") {
      op.kind = OpKind::kEq;
    } else if (name == "$ne" || name == "$notEquals") {
      op.kind = OpKind::kNe;
    } else if (name == "$gt" || name == "$greaterThan") {
      op.kind = OpKind::kGt;
    } else if (name == "$gte" || name == "$greaterThanOrEqual") {
      op.kind = OpKind::kGte;
    } else if (name == "$lt" || name == "$lessThan") {
      op.kind = OpKind::kLt;
    } else if (name == "$lte" || name == "$lessThanOrEqual") {
      op.kind = OpKind::kLte;
    } else if (name == "$contains" || name == "$ct") {
      op.kind = OpKind::kContains;
    } else if (name == "$in" || name == "$oneOf") {
      op.kind = OpKind::kIn;
      op.list = operand_list(name, operand);
    } else if (name == "$nin" || name == "$notIn") {
      op.kind = OpKind::kNin;
      op.list = operand_list(name, operand);
    } else if (name == "$exists") {
      op.kind = OpKind::kExists;
      if (operand.get_bool().get(op.flag) != simdjson::SUCCESS) invalid_query("$exists expects a boolean");
    } else if (name == "$regex") {
      op.kind = OpKind::kRegex;
      op.regex = compile_regex(operand, object);
    } else if (name == "$options") {
      continue;  // read by $regex
    } else if (name == "$not") {
      op.kind = OpKind::kNot;
      simdjson::dom::object sub;
      if (operand.get_object().get(sub) != simdjson::SUCCESS) invalid_query("$not expects an object");
      op.sub = parse_ops(sub);
    } else {
      invalid_query("Unknown operator: " + std::string(name));
    }
    if (op.kind <= OpKind::kContains) op.operand = make_operand(operand);
    ops.push_back(std::move(op));
  }
  return ops;
}

// Cheap, selective conditions first; evaluation order does not change the
// result (everything was validated while parsing).
int cost(const Condition& c) {
  switch (c.kind) {
    case Condition::Kind::kImplicitEq: return 0;
    case Condition::Kind::kOps: return c.ops.size() == 1 && c.ops[0].kind == OpKind::kEq ? 0 : 1;
    default: return 2;
  }
}

Condition parse_object(simdjson::dom::object object);

Condition parse_list(std::string_view name, element value, bool is_or) {
  simdjson::dom::array arr;
  if (value.get_array().get(arr) != simdjson::SUCCESS) invalid_query(std::string(name) + " expects an array");
  Condition c;
  c.kind = is_or ? Condition::Kind::kOr : Condition::Kind::kAnd;
  for (element item : arr) {
    simdjson::dom::object sub;
    if (item.get_object().get(sub) == simdjson::SUCCESS) {
      c.children.push_back(parse_object(sub));
    } else {
      c.children.push_back(Condition{});  // a non-object element counts as true
    }
  }
  if (c.children.empty()) c.kind = is_or ? Condition::Kind::kNone : Condition::Kind::kAll;
  return c;
}

Condition parse_object(simdjson::dom::object object) {
  Condition all;
  all.kind = Condition::Kind::kAnd;
  for (const auto& [name, value] : sorted_members(object)) {
    if (name == "$or" || name == "$and") {
      all.children.push_back(parse_list(name, value, name == "$or"));
      continue;
    }
    // Any other key, even one starting with '$', is a field path (rc2).
    Condition c;
    c.path = FieldPath(name);
    simdjson::dom::object ops;
    if (value.get_object().get(ops) == simdjson::SUCCESS) {
      c.kind = Condition::Kind::kOps;
      c.ops = parse_ops(ops);
      if (c.ops.empty()) c.kind = Condition::Kind::kAll;  // {} matches everything, even a missing field
    } else {
      c.kind = Condition::Kind::kImplicitEq;
      c.value = make_operand(value);
    }
    all.children.push_back(std::move(c));
  }
  std::erase_if(all.children, [](const Condition& c) { return c.kind == Condition::Kind::kAll; });
  if (all.children.empty()) return Condition{};
  std::stable_sort(all.children.begin(), all.children.end(),
                   [](const Condition& a, const Condition& b) { return cost(a) < cost(b); });
  if (all.children.size() == 1) return std::move(all.children.front());
  return all;
}

void collect(const Condition& c, std::vector<const FieldPath*>& out) {
  if (c.kind == Condition::Kind::kImplicitEq || c.kind == Condition::Kind::kOps) out.push_back(&c.path);
  for (const Condition& child : c.children) collect(child, out);
}

}  // namespace

Operand make_operand(element e) {
  Operand o;
  doc::encode(e, o.bytes);
  doc::Value v = o.value();
  o.is_string = v.is_string();
  o.is_number = v.is_number();
  o.is_null = v.is_null();
  o.is_scalar = !v.is_array() && !v.is_object();
  if (o.is_string) {
    doc::TextBuf buf;
    fold_case(v.as_string(buf), o.folded);
    o.is_ascii = !has_non_ascii(o.folded);
  }
  if (o.is_number) o.number = v.as_double();
  return o;
}

bool query_equal(doc::Value field, const Operand& operand) {
  if (operand.is_string) {
    if (!field.is_string()) return false;
    doc::TextBuf buf;
    std::string_view s = field.as_string(buf);
    // Most texts differ from the operand in length: settle those without
    // folding. Lowercasing into ASCII never lengthens a text (only
    // non-ASCII letters such as the Kelvin sign shrink), and leaves an
    // all-ASCII text its length.
    if (operand.is_ascii && s.size() != operand.folded.size() &&
        (s.size() < operand.folded.size() || !has_non_ascii(s))) {
      return false;
    }
    return folded_equals(s, operand.folded);
  }
  return doc::equal(field, operand.value());
}

Where Where::parse(element where) {
  Where w;
  simdjson::dom::object object;
  if (where.get_object().get(object) == simdjson::SUCCESS) w.root_ = parse_object(object);
  return w;
}

void Where::collect_paths(std::vector<const FieldPath*>& out) const { collect(root_, out); }

bool Where::eval_op(const Op& op, doc::Value field) {
  switch (op.kind) {
    case OpKind::kEq: return field.valid() ? query_equal(field, op.operand) : op.operand.is_null;
    case OpKind::kNe: return !(field.valid() ? query_equal(field, op.operand) : op.operand.is_null);
    case OpKind::kGt: return field.valid() && field.is_number() && op.operand.is_number && field.as_double() > op.operand.number;
    case OpKind::kGte: return field.valid() && field.is_number() && op.operand.is_number && field.as_double() >= op.operand.number;
    case OpKind::kLt: return field.valid() && field.is_number() && op.operand.is_number && field.as_double() < op.operand.number;
    case OpKind::kLte: return field.valid() && field.is_number() && op.operand.is_number && field.as_double() <= op.operand.number;
    case OpKind::kContains:
      if (!field.valid()) return false;
      if (field.is_string()) {
        doc::TextBuf buf;
        return op.operand.is_string && folded_contains(field.as_string(buf), op.operand.folded);
      }
      if (field.is_array()) {
        doc::Value want = op.operand.value();
        size_t n = field.count();
        doc::Value e = field.first_element();
        for (size_t i = 0; i < n; ++i, e = e.next()) {
          if (doc::equal(e, want)) return true;
        }
      }
      return false;
    case OpKind::kIn: return any_equal(field, op.list);
    case OpKind::kNin: return !any_equal(field, op.list);
    case OpKind::kExists: return field.valid() == op.flag;
    case OpKind::kRegex: {
      if (!field.valid() || !field.is_string()) return false;
      doc::TextBuf buf;
      std::string_view s = field.as_string(buf);
      return std::regex_search(s.begin(), s.end(), *op.regex);
    }
    case OpKind::kNot:
      for (const Op& sub : op.sub) {
        if (!eval_op(sub, field)) return true;
      }
      return false;
  }
  return false;
}

bool Where::eval(const Condition& c, doc::Value document) {
  switch (c.kind) {
    case Condition::Kind::kAll: return true;
    case Condition::Kind::kNone: return false;
    case Condition::Kind::kAnd:
      for (const Condition& child : c.children) {
        if (!eval(child, document)) return false;
      }
      return true;
    case Condition::Kind::kOr:
      for (const Condition& child : c.children) {
        if (eval(child, document)) return true;
      }
      return false;
    case Condition::Kind::kImplicitEq: {
      doc::Value field = c.path.lookup(document);
      return field.valid() && query_equal(field, c.value);
    }
    case Condition::Kind::kOps: {
      doc::Value field = c.path.lookup(document);
      for (const Op& op : c.ops) {
        if (!eval_op(op, field)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace kiln::query
