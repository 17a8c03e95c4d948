#!/usr/bin/env bash
# Tests of the Node.js binding: installs the npm dependencies, builds the
# addon from this checkout (engine linked statically), runs `node --test`
# (which includes `tsc --noEmit` on types-test/) and, unless
# KILN_NODE_SKIP_PACK=1, checks that the packed tarball installs and works in
# a fresh directory. Exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"

# node-gyp (used by devDependencies' own builds) must find Node's headers
# locally instead of downloading them.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"

echo "== node-binding: npm dependencies"
# --ignore-scripts: our addon is built below; better-sqlite3 (benchmark only)
# is built by bench/bench_node.js on first use.
if [ -d node_modules/node-addon-api ] && [ -d node_modules/typescript ]; then
  echo "(already installed)"
elif [ -f package-lock.json ]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi

echo "== node-binding: build the addon"
node scripts/build.js

echo "== node-binding: node --test"
node --test test/*.test.js test/*.test.mjs

if [ "${KILN_NODE_SKIP_PACK:-0}" != "1" ]; then
  echo "== node-binding: npm pack + install into a fresh project"
  node scripts/pack-check.js
fi
echo "node-binding: all passed"
