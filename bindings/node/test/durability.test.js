'use strict';

// Databases on disk. These tests wait on engine features being written in
// parallel; each is skipped ("# SKIP waits on: <feature>") until the engine
// supports it:
//   sync      open(path, { mode: 'sync' }) (WAL, reopen, lock file)
//   async     open(path, { mode: 'async' })
//   snapshot  op snapshot: db.snapshot()
//   stats     op stats: db.stats()
//   changes   op changes: db.changes(since)
// Still to write when their C functions land: subscribe (callbacks from
// concurrent writes, a throwing listener, cancel/close releasing the
// process) and flush.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { kilndb, needs, tmpDir } = require('./helpers');

const { open, openAsync } = kilndb;

function dbPath(t) {
  const dir = tmpDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'db');
}

test('sync mode: data survives close and reopen', needs('sync'), async (t) => {
  const p = dbPath(t);
  let db = open(p, { mode: 'sync' });
  const c = db.collection('users');
  c.set({ u1: { name: 'Ada', age: 36 } });
  c.put('u2', { name: 'Bob' });
  await c.setAsync({ u3: { name: 'Cy' } });
  c.update('u1', { age: 37 });
  c.delete('u2');
  db.close();

  db = open(p); // sync is the default with a path
  t.after(() => db.close());
  const u1 = db.collection('users').get('u1');
  assert.equal(u1.age, 37);
  assert.equal(u1._v, 2);
  assert.equal(db.collection('users').get('u2'), null);
  assert.equal(db.collection('users').get('u3').name, 'Cy');
});

test('async mode: close() flushes', needs('async'), async (t) => {
  const p = dbPath(t);
  const db = await openAsync(p, { mode: 'async' });
  const docs = {};
  for (let i = 0; i < 500; i++) docs[`k${i}`] = { i };
  db.collection('c').set(docs);
  await db.closeAsync();
  const again = open(p, { mode: 'async' });
  t.after(() => again.close());
  assert.equal(again.collection('c').get('k499').i, 499);
});

test('a batch survives reopen as a whole', needs('sync'), (t) => {
  const p = dbPath(t);
  let db = open(p, { mode: 'sync' });
  db.batch((tx) => {
    tx.collection('a').set({ x: { n: 1 } });
    tx.collection('b').set({ y: { n: 2 } });
  });
  db.close();
  db = open(p, { mode: 'sync' });
  t.after(() => db.close());
  assert.equal(db.collection('a').get('x').n, 1);
  assert.equal(db.collection('b').get('y').n, 2);
});

test('a second process gets KILN_LOCKED', needs('sync'), (t) => {
  const p = dbPath(t);
  const db = open(p, { mode: 'sync' });
  t.after(() => db.close());
  const script = `
    const { open } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    try { open(${JSON.stringify(p)}, { mode: 'sync' }).close(); console.log('opened'); }
    catch (e) { console.log(e.code); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'KILN_LOCKED');
});

test('opening a file that is not a database fails cleanly', needs('sync'), (t) => {
  const p = dbPath(t);
  fs.writeFileSync(p, 'not a directory');
  assert.throws(() => open(p, { mode: 'sync' }), (e) => e instanceof kilndb.KilnError && typeof e.code === 'string');
});

test('snapshot', needs('snapshot'), async (t) => {
  const p = dbPath(t);
  let db = open(p, { mode: 'sync' });
  db.collection('c').set({ a: { n: 1 } });
  db.snapshot();
  db.collection('c').set({ b: { n: 2 } });
  await db.snapshotAsync();
  db.collection('c').set({ c: { n: 3 } });
  db.close();
  db = open(p, { mode: 'sync' });
  t.after(() => db.close());
  assert.deepEqual(
    db.collection('c').find().map((d) => d._key).sort(),
    ['a', 'b', 'c']
  );
});

test('stats', needs('stats'), async (t) => {
  const db = open();
  t.after(() => db.close());
  db.collection('c').set({ a: {}, b: {} });
  const s = db.stats();
  assert.ok(s !== null && typeof s === 'object');
  assert.ok(typeof (await db.statsAsync()) === 'object');
});

test('changes since an LSN', needs('changes', 'sync'), async (t) => {
  const p = dbPath(t);
  const db = open(p, { mode: 'sync' });
  t.after(() => db.close());
  db.collection('c').set({ a: { n: 1 } });
  db.collection('c').update('a', { n: 2 });
  db.collection('d').set({ b: {} });
  const all = db.changes(0);
  const text = JSON.stringify(all);
  assert.match(text, /"a"/);
  assert.match(text, /"b"/);
  assert.ok(typeof (await db.changesAsync()) === 'object');
});
