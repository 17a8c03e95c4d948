#!/usr/bin/env node
// Packs the package (npm pack), installs the tarball into a fresh project in
// a temp directory, and runs the README example there, CommonJS and ESM.
// Used by run-tests.sh; exits non-zero on failure.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync } = require('child_process');

const pkgDir = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kilndb-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(cmd, args, cwd) {
  console.log(`> (${path.relative(work, cwd) || '.'}) ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

const example = `
const { open, KilnError } = require('kilndb');
const fs = require('fs');
(async () => {
  fs.rmSync('app-data', { recursive: true, force: true });
  let db;
  try { db = open('app-data', { mode: 'sync' }); } catch (e) { db = open({ mode: 'memory' }); }
  const users = db.collection('users');
  users.set({ u1: { name: 'Ada', age: 36 } });
  const ada = users.get('u1');
  if (ada.name !== 'Ada' || users.get('nope') !== null) throw new Error('get');
  const viaExecute = db.execute({ op: 'get', collection: 'users', keys: ['u1'] });
  if (viaExecute[0]._key !== 'u1') throw new Error('execute');
  if ((await users.getAsync('u1')).age !== 36) throw new Error('getAsync');
  db.close();
  try { users.get('u1'); throw new Error('no error after close'); }
  catch (e) { if (!(e instanceof KilnError) || e.code !== 'KILN_CLOSED') throw e; }
  console.log('cjs ok');
})().catch((e) => { console.error(e); process.exit(1); });
`;

const esm = `
import { open } from 'kilndb';
const db = open({ mode: 'memory' });
db.collection('c').set({ a: { n: 1 } });
if (db.collection('c').get('a').n !== 1) throw new Error('esm');
await db.closeAsync();
console.log('esm ok');
`;

try {
  const out = run(npm, ['pack', '--silent', '--pack-destination', work], pkgDir).trim().split('\n').pop();
  const tarball = path.join(work, out);
  const size = fs.statSync(tarball).size;
  console.log(`tarball: ${out} (${(size / 1024).toFixed(0)} KiB)`);
  const app = path.join(work, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  run(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], app);
  fs.writeFileSync(path.join(app, 'example.js'), example);
  fs.writeFileSync(path.join(app, 'example.mjs'), esm);
  process.stdout.write(run(process.execPath, ['example.js'], app));
  process.stdout.write(run(process.execPath, ['example.mjs'], app));
  console.log('pack-check: ok');
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
