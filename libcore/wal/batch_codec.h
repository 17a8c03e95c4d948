// Mutations <-> bytes: the payload of a write-batch log record, and the
// entries of a snapshot. Generic over Mutation::Kind, so a new kind (index,
// schema, ...) needs no format change:
//
//   batch    := varint(count) mutation*
//   mutation := u8 kind  bytes(collection)  bytes(key)  bytes(record)  bytes(payload)
//   bytes    := varint(length) byte*
//
// `record` is the document's binary encoding (doc/format.h), empty when the
// mutation carries no document; a non-empty one becomes the DocRef at `key`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "write/write_batch.h"

namespace kiln::wal {

void encode_mutation(const Mutation& m, std::string& out);
void encode_batch(const std::vector<Mutation>& mutations, std::string& out);

// Decoders throw kiln::Error(kCorruption) on malformed input; `where` names
// the file and offset for the message.
std::vector<Mutation> decode_batch(std::string_view bytes, const std::string& where);
// Decodes one mutation at `p`, advancing it.
Mutation decode_mutation(std::string_view& p, const std::string& where);

}  // namespace kiln::wal
