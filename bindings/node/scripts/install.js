#!/usr/bin/env node
// npm "install" hook. Uses the prebuilt binary for this platform
// (prebuilds/<platform>-<arch>/kilndb.node) when it loads; otherwise builds
// the addon from source (scripts/build.js: cmake + a C++ compiler + the
// engine sources in deps/kilndb or a kilndb checkout). KILNDB_BUILD_FROM_SOURCE=1
// forces the source build.
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');
const prebuilt = path.join(pkgDir, 'prebuilds', `${process.platform}-${process.arch}`, 'kilndb.node');

function loads(file) {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { encoding: 'utf8' });
  return r.status === 0 ? null : (r.stderr || '').trim().split('\n').slice(0, 5).join('\n');
}

if (process.env.KILNDB_BUILD_FROM_SOURCE !== '1' && fs.existsSync(prebuilt)) {
  const error = loads(prebuilt);
  if (error === null) {
    console.log(`kilndb: using the prebuilt binary ${path.relative(pkgDir, prebuilt)}`);
    process.exit(0);
  }
  console.warn(`kilndb: the prebuilt binary does not load here, building from source:\n${error}`);
}

const r = spawnSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
process.exit(r.status === null ? 1 : r.status);
