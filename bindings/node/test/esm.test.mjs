// The ESM entry point exposes the same API as the CommonJS one.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import kilndb, { open, openAsync, KilnError, Database, Status, version } from '../index.mjs';

const require = createRequire(import.meta.url);

test('ESM named and default exports match CommonJS', async () => {
  const cjs = require('../lib/index.js');
  assert.equal(open, cjs.open);
  assert.equal(KilnError, cjs.KilnError);
  assert.equal(kilndb.open, cjs.open);
  assert.equal(version, cjs.version);
  assert.equal(Status.KILN_CLOSED, 21);
  const db = open();
  assert.ok(db instanceof Database);
  db.collection('c').set({ a: { n: 1 } });
  assert.equal(db.collection('c').get('a').n, 1);
  db.close();
  const db2 = await openAsync();
  await db2.closeAsync();
});

test('the package resolves by name (exports map)', async () => {
  const byName = await import('kilndb');
  assert.equal(byName.open, open);
  assert.equal(require('kilndb').open, open);
});
