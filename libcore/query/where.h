// `where`: parsed once into a tree of conditions, then evaluated directly on
// encoded documents (QUERY.md "where"). Parsing reports every malformed
// operator up front (INVALID_ARGUMENT "Invalid Query: ..."), in the order
// rc2 would meet them (keys sorted), so evaluation itself cannot fail.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <simdjson.h>

#include "doc/value.h"
#include "query/path.h"

namespace kiln::query {

// A constant from the query, encoded, with what comparisons need ready.
struct Operand {
  std::string bytes;   // encoded value (doc/format.h)
  std::string folded;  // lowercased text when a string
  bool is_string = false;
  bool is_ascii = false;   // a string whose folded text is all ASCII
  bool is_number = false;
  bool is_null = false;
  bool is_scalar = false;  // not an array or object
  double number = 0;

  doc::Value value() const { return doc::Value(bytes); }
};

enum class OpKind { kEq, kNe, kGt, kGte, kLt, kLte, kContains, kIn, kNin, kExists, kRegex, kNot };

struct Op {
  OpKind kind;
  Operand operand;             // eq ne gt gte lt lte contains
  std::vector<Operand> list;   // in nin
  bool flag = false;           // exists
  std::shared_ptr<const std::regex> regex;
  std::vector<Op> sub;         // not
};

struct Condition {
  enum class Kind { kAll, kNone, kAnd, kOr, kImplicitEq, kOps };
  Kind kind = Kind::kAll;
  std::vector<Condition> children;  // and / or
  FieldPath path;                   // implicit eq / ops
  Operand value;                    // implicit eq
  std::vector<Op> ops;              // ops (ANDed)
};

class Where {
 public:
  Where() = default;  // matches everything
  // Parses a `where` member. A non-object where matches everything (rc2).
  static Where parse(simdjson::dom::element where);

  bool matches(doc::Value document) const { return eval(root_, document); }
  bool matches_all() const { return root_.kind == Condition::Kind::kAll; }
  const Condition& root() const { return root_; }

  // Every field path the where reads (to know whether joins must run first).
  void collect_paths(std::vector<const FieldPath*>& out) const;

  static bool eval(const Condition& c, doc::Value document);
  // One operator against the field value (invalid Value = missing).
  static bool eval_op(const Op& op, doc::Value field);

 private:
  Condition root_;
};

// Equality as QUERY.md defines it: strings case-insensitively, everything
// else by exact (type-strict) JSON equality. `field` must be valid.
bool query_equal(doc::Value field, const Operand& operand);

Operand make_operand(simdjson::dom::element e);

}  // namespace kiln::query
