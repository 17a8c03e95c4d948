#include "write/write_batch.h"

#include "schema/schema.h"
#include "store/store.h"

namespace kiln {

void apply(const WriteBatch& batch, Store& store) {
  // Consecutive puts into one collection look it up once. Any other kind may
  // remove or create collections, so it forgets the cached one.
  Collection* last = nullptr;
  std::string_view last_name;
  for (const Mutation& m : batch.mutations) {
    if (m.kind != Mutation::Kind::kPut) last = nullptr;
    switch (m.kind) {
      case Mutation::Kind::kPut:
        if (!last || last_name != m.collection) {
          last = &store.get_or_create(m.collection);
          last_name = m.collection;
        }
        last->put(m.record);
        break;
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
