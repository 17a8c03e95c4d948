#include "write/write_batch.h"

#include "schema/schema.h"
#include "store/store.h"

namespace kiln {

void apply(const WriteBatch& batch, Store& store) {
  for (const Mutation& m : batch.mutations) {
    switch (m.kind) {
      case Mutation::Kind::kPut: store.get_or_create(m.collection).put(m.record); break;
      case Mutation::Kind::kDelete:
        if (Collection* c = store.find(m.collection)) c->erase(m.key);
        break;
      case Mutation::Kind::kDrop: store.drop(m.collection); break;
      case Mutation::Kind::kCreateIndex:
        store.get_or_create(m.collection).create_index(IndexDef::from_json(m.payload));
        break;
      case Mutation::Kind::kDropIndex:
        if (Collection* c = store.find(m.collection)) c->drop_index(IndexDef::from_json(m.payload).field);
        break;
      case Mutation::Kind::kSetSchema:
        store.get_or_create(m.collection).set_schema(m.payload == "null" ? nullptr : Schema::compile_json(m.payload));
        break;
    }
  }
}

}  // namespace kiln
