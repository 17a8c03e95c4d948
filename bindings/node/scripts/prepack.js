#!/usr/bin/env node
// npm "prepack" / "postpack" hooks: put what the packed tarball needs
// next to the JS, then remove it again.
//   prepack:  builds the addon (Release), copies it, stripped, to
//             prebuilds/<platform>-<arch>/kilndb.node, and copies the engine
//             sources (the CMake tree minus tests, tools, docs, bindings) to
//             deps/kilndb so `npm install` can fall back to a source build.
//   --clean:  removes what prepack added.
'use strict';

const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');
const repoDir = path.resolve(pkgDir, '..', '..');
const depsDir = path.join(pkgDir, 'deps');
const prebuildDir = path.join(pkgDir, 'prebuilds', `${process.platform}-${process.arch}`);
const marker = path.join(pkgDir, 'prebuilds', '.generated-by-prepack');

// Top-level entries of the repository that a library build does not need.
const SKIP = new Set(['.git', '.ci', 'bindings', 'build', 'docs', 'bench', 'tests', 'tools', 'scripts', 'node_modules']);

function clean() {
  fs.rmSync(depsDir, { recursive: true, force: true });
  if (fs.existsSync(marker)) {
    fs.rmSync(prebuildDir, { recursive: true, force: true });
    fs.rmSync(marker, { force: true });
    const root = path.dirname(marker);
    if (fs.existsSync(root) && fs.readdirSync(root).length === 0) fs.rmdirSync(root);
  }
}

function copyEngine() {
  if (!fs.existsSync(path.join(repoDir, 'capi', 'include', 'kiln.h'))) {
    console.warn('kilndb prepack: no kilndb checkout at ../.., the tarball gets no engine sources');
    return;
  }
  const dest = path.join(depsDir, 'kilndb');
  fs.mkdirSync(dest, { recursive: true });
  for (const entry of fs.readdirSync(repoDir)) {
    if (SKIP.has(entry) || entry.startsWith('build')) continue;
    fs.cpSync(path.join(repoDir, entry), path.join(dest, entry), {
      recursive: true,
      // leave out build trees (build/, build-asan/, ...) and VCS folders, never files
      filter: (src) => {
        const base = path.basename(src);
        if (!/^(build([-_.].*)?|\.git|node_modules)$/.test(base)) return true;
        return !fs.statSync(src).isDirectory();
      },
    });
  }
}

function prebuild() {
  execFileSync(process.execPath, [path.join(__dirname, 'build.js')], { stdio: 'inherit' });
  const built = path.join(pkgDir, 'build', 'Release', 'kilndb.node');
  fs.mkdirSync(prebuildDir, { recursive: true });
  const out = path.join(prebuildDir, 'kilndb.node');
  fs.copyFileSync(built, out);
  try {
    execFileSync('strip', ['--strip-unneeded', out]);
  } catch {
    // strip is optional: the binary only gets bigger
  }
  fs.writeFileSync(marker, 'prebuilds/ was filled by scripts/prepack.js and is removed by postpack\n');
}

if (process.argv.includes('--clean')) {
  clean();
} else {
  clean();
  prebuild();
  copyEngine();
}
