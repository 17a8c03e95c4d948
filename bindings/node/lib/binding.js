'use strict';

// Loads the native addon: an explicit KILNDB_NATIVE path, a local source build
// (build/Release), or the prebuilt binary for this platform
// (prebuilds/<platform>-<arch>/kilndb.node), in that order.
const fs = require('fs');
const path = require('path');

const pkgDir = path.resolve(__dirname, '..');

function candidates() {
  const list = [];
  if (process.env.KILNDB_NATIVE) list.push(path.resolve(process.env.KILNDB_NATIVE));
  list.push(path.join(pkgDir, 'build', 'Release', 'kilndb.node'));
  list.push(path.join(pkgDir, 'prebuilds', `${process.platform}-${process.arch}`, 'kilndb.node'));
  return list;
}

function load() {
  const errors = [];
  for (const file of candidates()) {
    if (!fs.existsSync(file)) continue;
    try {
      return require(file);
    } catch (e) {
      errors.push(`${file}: ${e.message}`);
    }
  }
  const detail = errors.length ? `\n${errors.join('\n')}` : ' (no binary found)';
  throw new Error(
    `kilndb: cannot load the native addon for ${process.platform}-${process.arch}${detail}\n` +
      'Build it from source with `npm run build` inside the kilndb package (needs cmake and a C++ compiler).'
  );
}

module.exports = load();
