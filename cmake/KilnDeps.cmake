# Every third-party dependency comes from the system (Debian packages,
# installed by scripts/setup); nothing is vendored or downloaded.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED CONFIG)
find_package(absl REQUIRED CONFIG)
find_package(zstd REQUIRED CONFIG)  # snapshots

# What libcore (and so libkiln) links. Add a dependency here, once.
set(KILN_CORE_DEPS zstd::libzstd_shared simdjson::simdjson absl::flat_hash_map absl::flat_hash_set absl::btree Threads::Threads)

if(NOT CMAKE_CXX_BYTE_ORDER STREQUAL "LITTLE_ENDIAN")
  message(FATAL_ERROR "kilndb's file and document formats assume a little-endian CPU")
endif()
