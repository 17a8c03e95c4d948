'use strict';

// Databases on disk. These tests wait on engine features being written in
// parallel; each is skipped ("# SKIP waits on: <feature>") until the engine
// supports it:
//   sync      open(path, { mode: 'sync' }) (WAL, reopen, lock file)
//   async     open(path, { mode: 'async' })
//   snapshot  op snapshot: db.snapshot()
//   stats     op stats: db.stats()
//   changes   op changes: db.changes(since)
// Subscriptions are in subscribe.test.js.
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

test('a second open of the same path in one process gets KILN_LOCKED', needs('sync'), async (t) => {
  const p = dbPath(t);
  const db = open(p, { mode: 'sync' });
  assert.throws(() => open(p, { mode: 'sync' }), (e) => e instanceof kilndb.KilnError && e.code === 'KILN_LOCKED');
  await assert.rejects(openAsync(p), (e) => e.code === 'KILN_LOCKED' && e.status === kilndb.Status.KILN_LOCKED);
  db.collection('c').set({ a: { n: 1 } });
  db.close();
  // released by close()
  const again = open(p);
  t.after(() => again.close());
  assert.equal(again.collection('c').get('a').n, 1);
});

test('flush: sync, async and memory modes; KILN_CLOSED after close', needs('async'), async (t) => {
  for (const mode of ['sync', 'async']) {
    const p = dbPath(t);
    const db = open(p, { mode });
    db.collection('c').set({ a: { n: 1 } });
    assert.equal(db.flush(), undefined);
    db.collection('c').put('b', { n: 2 });
    assert.equal(await db.flushAsync(), undefined);
    db.close();
    assert.throws(() => db.flush(), (e) => e.code === 'KILN_CLOSED');
    await assert.rejects(db.flushAsync(), (e) => e.code === 'KILN_CLOSED');
    const again = open(p, { mode });
    assert.equal(again.collection('c').get('b').n, 2);
    again.close();
  }
  const mem = open();
  mem.flush();
  await mem.flushAsync();
  mem.close();
});

test('async mode: flushed writes survive a crash (SIGKILL)', needs('async'), (t) => {
  const p = dbPath(t);
  const script = `
    const { open } = require(${JSON.stringify(path.resolve(__dirname, '..'))});
    const db = open(${JSON.stringify(p)}, { mode: 'async', flushIntervalMs: 100000 });
    const c = db.collection('c');
    for (let i = 0; i < 200; i++) c.put('k' + i, { i });
    db.flush();
    process.kill(process.pid, 'SIGKILL');`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  const db = open(p, { mode: 'async' });
  t.after(() => db.close());
  for (let i = 0; i < 200; i++) assert.equal(db.collection('c').get('k' + i).i, i);
});

test('verify(path) checks the files of a closed database', needs('sync'), async (t) => {
  const p = dbPath(t);
  const db = open(p, { mode: 'sync' });
  db.collection('c').set({ a: { n: 1 }, b: { n: 2 } });
  db.close();
  const report = kilndb.verify(p);
  assert.equal(report.ok, true, JSON.stringify(report));
  assert.ok(Array.isArray(report.files) && report.files.length > 0);
  assert.ok(Array.isArray(report.problems));
  assert.deepEqual(await kilndb.verifyAsync(p), report);
  const missing = path.join(path.dirname(p), 'nope');
  assert.throws(() => kilndb.verify(missing), (e) => e instanceof kilndb.KilnError && typeof e.code === 'string');
  await assert.rejects(kilndb.verifyAsync(missing), (e) => e instanceof kilndb.KilnError);
  assert.throws(() => kilndb.verify(42), TypeError);
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
  assert.equal(s.mode, 'memory');
  assert.equal(s.documents, 2);
  assert.equal((await db.statsAsync()).documents, 2);
});

test('changes since an LSN', needs('changes', 'sync'), async (t) => {
  const p = dbPath(t);
  const db = open(p, { mode: 'sync' });
  t.after(() => db.close());
  db.collection('c').set({ a: { n: 1 } });
  db.collection('c').update('a', { n: 2 });
  db.collection('d').set({ b: {} });
  const all = db.changes(0);
  assert.deepEqual(
    all.changes.map((e) => [e.collection, e.key, e.new_v]),
    [['c', 'a', 1], ['c', 'a', 2], ['d', 'b', 1]]
  );
  const lsns = all.changes.map((e) => e.lsn);
  assert.deepEqual([...lsns].sort((x, y) => x - y), lsns);
  const later = await db.changesAsync(lsns[1]);
  assert.deepEqual(later.changes.map((e) => e.key), ['b']);
});
