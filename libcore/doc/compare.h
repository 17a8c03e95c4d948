// Comparing encoded values.
#pragma once

#include "doc/value.h"

namespace kiln::doc {

// JSON equality as MoltenDB's serde_json defines it: same type and value,
// arrays element-wise, objects by keys and values. Integers and floats are
// different kinds of number: 1 == 1 but 1 != 1.0.
bool equal(Value a, Value b);

// A total order used where values of any type meet (e.g. index keys):
// null < false < true < numbers < strings (bytes) < arrays < objects.
// Returns <0, 0 or >0.
int total_order(Value a, Value b);

// Two strings (either form, format.h) by the bytes of their text: <0, 0, >0.
int compare_strings(Value a, Value b);

}  // namespace kiln::doc
