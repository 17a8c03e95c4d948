// The request ops. Write ops plan their changes into a TxnView (nothing
// touches the Store until the caller applies the batch); each returns the
// MoltenDB response body.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "request/request.h"
#include "store/store.h"
#include "write/txn_view.h"

namespace kiln {

std::string run_set(const Request& req, TxnView& view);
std::string run_update(const Request& req, TxnView& view);
std::string run_delete(const Request& req, TxnView& view);
std::string run_get(const Request& req, const Store& store);

// Definitions and analytics (QUERY.md "Beyond rc2").
std::string run_index(const Request& req, TxnView& view);       // "index"
std::string run_drop_index(const Request& req, TxnView& view);  // "drop_index"
std::string run_schema(const Request& req, TxnView& view);      // "schema"
std::string run_indexes(const Request& req, const Store& store);    // "indexes"
std::string run_aggregate(const Request& req, const Store& store);  // "aggregate"

// One "set" item: the record to store for `doc` at (collection, key) with the
// metadata rules of QUERY.md "set". Throws CONFLICT on an outdated _v.
// Returns the record; *version gets the stored _v (0 for non-objects), and
// *depth (if given) the depth of `doc` (json_depth), measured while encoding.
// Safe to call from several threads at once (each with its own reader).
DocRef plan_set_item(std::string_view collection, std::string_view key, simdjson::dom::element doc,
                     const TxnReader& view, const std::string& now_iso, uint64_t* version,
                     size_t* depth = nullptr);

}  // namespace kiln
