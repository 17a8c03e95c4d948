#include "write/write_batch.h"

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
    }
  }
}

}  // namespace kiln
