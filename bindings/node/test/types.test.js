'use strict';

// index.d.ts compiles and describes the API: tsc --noEmit on types-test/.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('path');
const { spawnSync } = require('child_process');

test('TypeScript example type-checks (tsc --noEmit)', () => {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc');
  } catch {
    assert.fail('typescript is not installed (npm install)');
  }
  const project = path.join(__dirname, '..', 'types-test', 'tsconfig.json');
  const r = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
