#include "support/engines.h"

namespace kbench {

std::unique_ptr<Engine> make_engine(const std::string& name, const EngineOptions& o) {
  if (name == "kilndb") return make_kiln_engine(o);
  if (name == "sqlite") return make_sqlite_engine(o);
  if (name == "lmdb") return make_lmdb_engine(o);
  if (name == "map") return make_map_engine(o);
  return nullptr;
}

}  // namespace kbench
