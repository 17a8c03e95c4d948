// Documents as kilndb encoded them before stamps, cents and u8 offset tables
// (doc/format.h): for tests that older snapshots and logs still read right.
#pragma once

#include <string>

#include "doc/value.h"

namespace kiln::testing {

// v in the older encoding: every string plain (tag 0x06), every double f64
// (0x05), every object with a u16 offset table (0x08), or u32 (0x09) when
// its entries pass 64 KiB.
std::string old_form(doc::Value v);

}  // namespace kiln::testing
