# Every third-party dependency comes from the system (Debian packages,
# installed by scripts/setup); nothing is vendored or downloaded.
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED CONFIG)
find_package(absl REQUIRED CONFIG)
