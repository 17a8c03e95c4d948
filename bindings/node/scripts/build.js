#!/usr/bin/env node
// Builds build/Release/kilndb.node from source with CMake, offline:
// Node's headers come from the local Node install (never downloaded),
// node-addon-api from node_modules, the engine (libkiln.a, linked
// statically) from the kilndb source tree found by engineSourceDir().
//
//   node scripts/build.js [--debug] [--out DIR]
// Environment: KILN_SOURCE_DIR (engine tree), KILN_NODE_INCLUDE (node_api.h dir),
//              KILN_NODE_BUILD_DIR (CMake build dir), KILN_JOBS,
//              KILN_CMAKE_ARGS (extra configure arguments, e.g. -DKILN_SANITIZE=address).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');

function fail(msg) {
  console.error(`kilndb build: ${msg}`);
  process.exit(1);
}

function engineSourceDir() {
  const candidates = [
    process.env.KILN_SOURCE_DIR,
    path.join(pkgDir, 'deps', 'kilndb'), // shipped inside the npm tarball
    path.resolve(pkgDir, '..', '..'), // a checkout of the kilndb repository
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'capi', 'include', 'kiln.h')) && fs.existsSync(path.join(dir, 'CMakeLists.txt'))) {
      return path.resolve(dir);
    }
  }
  return fail(`kilndb engine sources not found (looked in ${candidates.join(', ')}); set KILN_SOURCE_DIR`);
}

function nodeIncludeDir() {
  const candidates = [
    process.env.KILN_NODE_INCLUDE,
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  for (const dir of candidates) {
    if (fs.existsSync(path.join(dir, 'node_api.h'))) return dir;
  }
  return fail(`Node headers (node_api.h) not found in ${candidates.join(', ')}; set KILN_NODE_INCLUDE`);
}

function addonApiDir() {
  try {
    // include_dir is relative to the working directory
    return path.resolve(require('node-addon-api').include_dir);
  } catch (e) {
    return fail('node-addon-api is not installed (npm install)');
  }
}

function has(cmd) {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  console.log(`> ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit' });
}

function main() {
  const args = process.argv.slice(2);
  const debug = args.includes('--debug');
  const outIdx = args.indexOf('--out');
  const outDir = outIdx >= 0 ? path.resolve(args[outIdx + 1]) : path.join(pkgDir, 'build', 'Release');
  const buildDir = process.env.KILN_NODE_BUILD_DIR || path.join(pkgDir, 'build', debug ? 'cmake-debug' : 'cmake');
  if (!has('cmake')) fail('cmake is required to build the addon from source');

  const configure = [
    '-S', pkgDir, '-B', buildDir,
    `-DCMAKE_BUILD_TYPE=${debug ? 'Debug' : 'Release'}`,
    `-DKILN_SOURCE_DIR=${engineSourceDir()}`,
    `-DNODE_INCLUDE_DIR=${nodeIncludeDir()}`,
    `-DNODE_ADDON_API_DIR=${addonApiDir()}`,
    `-DKILN_NODE_OUT_DIR=${outDir}`,
  ];
  if (process.env.KILN_CMAKE_ARGS) configure.push(...process.env.KILN_CMAKE_ARGS.split(/\s+/).filter(Boolean));
  if (!fs.existsSync(path.join(buildDir, 'CMakeCache.txt')) && has('ninja')) configure.push('-G', 'Ninja');
  run('cmake', configure);
  const jobs = process.env.KILN_JOBS || String(Math.max(1, os.cpus().length));
  run('cmake', ['--build', buildDir, '--target', 'kilndb_node', '-j', jobs]);
  const out = path.join(outDir, 'kilndb.node');
  if (!fs.existsSync(out)) fail(`build finished but ${out} is missing`);
  console.log(`kilndb build: ${out}`);
}

main();
