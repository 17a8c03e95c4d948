#!/usr/bin/env bash
# Builds and tests the Python binding: a virtualenv under build/ (reused
# between runs), pytest + hypothesis + the build backend from PyPI, the
# package installed from this folder (engine compiled in, incrementally via
# a persistent CMake build dir), then pytest. Exit code = pytest's.
#
#   bindings/python/run-tests.sh [pytest args...]
#
# Environment: PYTHON (default python3), KILNDB_PY_BUILD (default
# bindings/python/build), KILNDB_TEST_ALL_FEATURES=1 (run tests whose engine
# feature has not landed yet too).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${KILNDB_PY_BUILD:-$HERE/build}"
PYTHON="${PYTHON:-python3}"
VENV="$BUILD/test-venv"

# The venv and headers need Debian's python3-venv and python3-dev.
if ! "$PYTHON" -c 'import ensurepip, sysconfig, os, sys; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")) else 1)' 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "run-tests: installing python3-venv python3-dev (needed to build the extension)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv python3-dev python3-pip >/dev/null
  else
    echo "run-tests: $PYTHON lacks venv/ensurepip or its C headers; install python3-venv and python3-dev" >&2
    exit 2
  fi
fi

mkdir -p "$BUILD"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -q "pytest>=7" "hypothesis>=6" "scikit-build-core>=0.10" "pybind11>=2.12"

# No build isolation: the backend is already in the venv, and the CMake build
# dir persists, so a second run only recompiles what changed.
"$PY" -m pip install -q --no-build-isolation --force-reinstall --no-deps \
  --config-settings=build-dir="$BUILD/cmake" "$HERE"

cd "$HERE"
export HYPOTHESIS_STORAGE_DIRECTORY="$BUILD/hypothesis"   # keep the source tree clean
set +e
"$PY" -m pytest -p no:cacheprovider -q "$@"   # testpaths = tests (pyproject.toml)
status=$?
set -e
exit $status
