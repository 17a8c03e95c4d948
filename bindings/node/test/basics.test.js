'use strict';

// Core API against the first engine version (memory mode; set / update /
// delete / get / batch ops and the kiln_get / kiln_put hot paths).
// Needs no feature that is still being written, except where a test says
// `needs('insert')` (set with an array `data`, i.e. generated keys).
const test = require('node:test');
const assert = require('node:assert/strict');
const { kilndb, needs, withDb } = require('./helpers');

const { open, openAsync, KilnError, Database, Collection } = kilndb;

function strip(doc) {
  if (doc === null) return null;
  const { _v, createdAt, modifiedAt, ...rest } = doc;
  return rest;
}

test('version and exports', () => {
  assert.match(kilndb.version, /^\d+\.\d+\.\d+$/);
  assert.equal(typeof kilndb.versionNumber, 'number');
  assert.equal(kilndb.abiVersion, 1);
  assert.equal(kilndb.Status.KILN_CONFLICT, 11);
  assert.equal(typeof open, 'function');
});

test('open() without a path is an in-memory database', () => {
  const db = open();
  assert.ok(db instanceof Database);
  assert.equal(db.isOpen, true);
  db.collection('a').set({ k: { x: 1 } });
  assert.equal(db.collection('a').get('k').x, 1);
  db.close();
  assert.equal(db.isOpen, false);
  const db2 = open(null, { mode: 'memory' });
  assert.equal(db2.collection('a').get('k'), null, 'a new memory db is empty');
  db2.close();
});

test('openAsync resolves to a Database', async () => {
  const db = await openAsync({ mode: 'memory' });
  assert.ok(db instanceof Database);
  db.collection('c').set({ a: { n: 1 } });
  assert.equal((await db.collection('c').getAsync('a')).n, 1);
  await db.closeAsync();
  assert.equal(db.isOpen, false);
});

test('open with an unknown option fails with KILN_INVALID_ARGUMENT', async () => {
  assert.throws(() => open({ mode: 'memory', bogusOption: 1 }), (e) => {
    assert.ok(e instanceof KilnError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'KilnError');
    assert.equal(e.code, 'KILN_INVALID_ARGUMENT');
    assert.equal(e.status, 10);
    assert.ok(e.message.length > 0);
    return true;
  });
  await assert.rejects(openAsync({ mode: 'memory', bogusOption: 1 }), { code: 'KILN_INVALID_ARGUMENT' });
});

test('open argument types are checked', () => {
  assert.throws(() => open(42), TypeError);
  assert.throws(() => open(null, 'sync'), TypeError);
});

test('collection() returns the same Collection per name', (t) => {
  const db = withDb(t);
  const a = db.collection('users');
  assert.ok(a instanceof Collection);
  assert.equal(a, db.collection('users'));
  assert.equal(a.name, 'users');
  assert.equal(a.database, db);
  assert.throws(() => db.collection(5), TypeError);
});

test('set / get / getMany (sync)', (t) => {
  const users = withDb(t).collection('users');
  assert.equal(users.set({ u1: { name: 'Ada', age: 36 }, u2: { name: 'Bob', age: 20 } }), 2);
  const ada = users.get('u1');
  assert.deepEqual(strip(ada), { name: 'Ada', age: 36 });
  assert.equal(ada._v, 1);
  assert.equal(users.get('missing'), null);
  const many = users.getMany(['u1', 'missing', 'u2']);
  assert.deepEqual(many.map((d) => d._key).sort(), ['u1', 'u2']);
  assert.deepEqual(users.getMany(['nope']), []);
  users.set({ u1: { name: 'Ada L.', age: 37 } });
  assert.equal(users.get('u1')._v, 2);
  assert.equal(users.get('u1').name, 'Ada L.');
});

test('set / get / getMany (async)', async (t) => {
  const users = withDb(t).collection('users');
  assert.equal(await users.setAsync({ u1: { name: 'Ada' } }), 1);
  assert.equal((await users.getAsync('u1')).name, 'Ada');
  assert.equal(await users.getAsync('missing'), null);
  assert.deepEqual((await users.getManyAsync(['u1', 'x'])).map((d) => d._key), ['u1']);
  assert.deepEqual(await users.getManyAsync(['x']), []);
});

test('put is the one-document hot path and returns _v', async (t) => {
  const c = withDb(t).collection('c');
  assert.equal(c.put('a', { n: 1 }), 1);
  assert.equal(c.put('a', { n: 2 }), 2);
  assert.equal(await c.putAsync('a', { n: 3 }), 3);
  assert.equal(c.get('a').n, 3);
  assert.throws(() => c.put(1, {}), TypeError);
});

test('find() of a whole collection, [] when empty', async (t) => {
  const c = withDb(t).collection('c');
  assert.deepEqual(c.find(), []);
  assert.deepEqual(await c.findAsync(), []);
  c.set({ a: { n: 1 }, b: { n: 2 } });
  const all = c.find();
  assert.deepEqual(all.map((d) => d._key).sort(), ['a', 'b']);
  assert.equal((await c.findAsync()).length, 2);
});

test('update merges and counts (sync and async)', async (t) => {
  const c = withDb(t).collection('c');
  c.set({ a: { x: 1, y: 1 } });
  assert.equal(c.update({ a: { y: 2 }, missing: { y: 3 } }), 1);
  assert.deepEqual(strip(c.get('a')), { x: 1, y: 2 });
  assert.equal(c.update('a', { z: 3 }), 1);
  assert.equal(await c.updateAsync('a', { x: 9 }), 1);
  assert.equal(await c.updateAsync({ a: { w: 0 } }), 1);
  const doc = c.get('a');
  assert.deepEqual(strip(doc), { x: 9, y: 2, z: 3, w: 0 });
  assert.equal(doc._v, 5);
});

test('version conflicts raise KILN_CONFLICT and change nothing', async (t) => {
  const c = withDb(t).collection('c');
  c.set({ a: { n: 1 } });
  c.set({ a: { n: 2 } }); // _v 2
  assert.throws(() => c.update('a', { n: 3, _v: 1 }), (e) => e instanceof KilnError && e.code === 'KILN_CONFLICT');
  await assert.rejects(c.updateAsync('a', { n: 3, _v: 1 }), { name: 'KilnError', code: 'KILN_CONFLICT' });
  assert.throws(() => c.set({ a: { n: 4, _v: 1 } }), { code: 'KILN_CONFLICT' });
  assert.equal(c.get('a').n, 2);
  assert.equal(c.update('a', { n: 5, _v: 2 }), 1);
  assert.equal(c.get('a').n, 5);
});

test('delete and drop (sync and async)', async (t) => {
  const c = withDb(t).collection('c');
  c.set({ a: {}, b: {}, c: {}, d: {} });
  assert.equal(c.delete('a'), 1);
  assert.equal(c.delete(['b', 'nope']), 1);
  assert.equal(await c.deleteAsync(['c']), 1);
  assert.equal(c.get('a'), null);
  assert.equal(c.get('d')._v, 1);
  assert.equal(c.drop(), true);
  assert.equal(c.get('d'), null);
  c.set({ e: {} });
  assert.equal(await c.dropAsync(), true);
  assert.deepEqual(c.find(), []);
  assert.throws(() => c.delete(5), TypeError);
});

test('insert generates keys', needs('insert'), async (t) => {
  const c = withDb(t).collection('c');
  const keys = c.insert([{ n: 1 }, { n: 2 }]);
  assert.equal(keys.length, 2);
  assert.equal(c.get(keys[1]).n, 2);
  const one = c.insert({ n: 3 });
  assert.equal(typeof one, 'string');
  assert.equal(c.get(one).n, 3);
  const more = await c.insertAsync([{ n: 4 }]);
  assert.equal(c.get(more[0]).n, 4);
  assert.equal(typeof (await c.insertAsync({ n: 5 })), 'string');
});

test('execute runs any request; null when nothing is found', async (t) => {
  const db = withDb(t);
  assert.deepEqual(db.execute({ op: 'set', collection: 'u', data: { a: { n: 1 } } }), { status: 'ok', count: 1 });
  assert.equal(db.execute({ op: 'get', collection: 'u', keys: 'a' }).n, 1);
  assert.equal(db.execute({ op: 'get', collection: 'u', keys: 'zz' }), null);
  assert.equal((await db.executeAsync({ op: 'get', collection: 'u', keys: ['a'] }))[0]._key, 'a');
  assert.equal(await db.executeAsync({ op: 'get', collection: 'u', keys: 'zz' }), null);
  assert.throws(() => db.execute({ op: 'frobnicate' }), { code: 'KILN_INVALID_ARGUMENT' });
  await assert.rejects(db.executeAsync({ op: 'frobnicate' }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => db.execute('{"op":"get"}'), TypeError);
});

test('bad names are KILN_INVALID_ARGUMENT', async (t) => {
  const db = withDb(t);
  assert.throws(() => db.collection('bad name!').set({ a: {} }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => db.collection('ok').set({ 'bad key!': {} }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => db.collection('ok').get(''), { code: 'KILN_INVALID_ARGUMENT' });
  await assert.rejects(db.collection('bad name!').getAsync('a'), { code: 'KILN_INVALID_ARGUMENT' });
});

test('argument type errors are TypeErrors, also as rejections', async (t) => {
  const c = withDb(t).collection('c');
  assert.throws(() => c.set(null), TypeError);
  assert.throws(() => c.get(1), TypeError);
  assert.throws(() => c.getMany('a'), TypeError);
  assert.throws(() => c.update('a'), TypeError);
  await assert.rejects(c.setAsync(null), TypeError);
  await assert.rejects(c.getAsync(1), TypeError);
});

test('use after close throws KILN_CLOSED, sync and async', async () => {
  const db = open();
  const c = db.collection('c');
  c.set({ a: {} });
  db.close();
  db.close(); // idempotent
  await db.closeAsync(); // also idempotent
  const closed = { name: 'KilnError', code: 'KILN_CLOSED' };
  assert.throws(() => c.get('a'), closed);
  assert.throws(() => c.set({ b: {} }), closed);
  assert.throws(() => c.put('b', {}), closed);
  assert.throws(() => c.find(), closed);
  assert.throws(() => db.execute({ op: 'get', collection: 'c' }), closed);
  assert.throws(() => db.batch(() => {}), closed);
  assert.throws(() => db.stats(), closed);
  await assert.rejects(c.getAsync('a'), closed);
  await assert.rejects(c.setAsync({ b: {} }), closed);
  await assert.rejects(c.putAsync('b', {}), closed);
  await assert.rejects(db.executeAsync({ op: 'get', collection: 'c' }), closed);
  await assert.rejects(db.batchAsync(() => {}), closed);
});

test('close() while async calls are queued and running never crashes', async () => {
  for (let round = 0; round < 10; round++) {
    const db = open();
    const c = db.collection('c');
    const docs = {};
    for (let i = 0; i < 200; i++) docs[`k${i}`] = { i, s: 'x'.repeat(50) };
    c.set(docs);
    const pending = [];
    for (let i = 0; i < 100; i++) {
      pending.push(c.getAsync(`k${i}`));
      pending.push(c.findAsync());
      pending.push(c.setAsync({ [`n${i}`]: { i } }));
    }
    if (round % 2) db.close();
    else await db.closeAsync();
    const results = await Promise.allSettled(pending);
    for (const r of results) {
      if (r.status === 'rejected') assert.equal(r.reason.code, 'KILN_CLOSED');
    }
    assert.throws(() => c.get('k1'), { code: 'KILN_CLOSED' });
  }
});

test('a database that is never closed is released by the GC', async () => {
  // No assertion beyond "does not crash": the finalizer closes the handle.
  for (let i = 0; i < 50; i++) open().collection('c').set({ a: { i } });
  if (global.gc) global.gc();
  await new Promise((r) => setImmediate(r));
});

test('async calls run concurrently and keep their results apart', async (t) => {
  const c = withDb(t).collection('c');
  const docs = {};
  for (let i = 0; i < 500; i++) docs[`k${i}`] = { i };
  c.set(docs);
  const got = await Promise.all(Array.from({ length: 500 }, (_, i) => c.getAsync(`k${i}`)));
  got.forEach((d, i) => assert.equal(d.i, i));
});

test('the addon works in worker threads too (context-aware)', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { open } = require(${JSON.stringify(require('path').resolve(__dirname, '..'))});
    const db = open();
    db.collection('w').set({ a: { n: 7 } });
    db.collection('w').getAsync('a').then((d) => { db.close(); parentPort.postMessage(d.n); });
  `;
  const results = await Promise.all(
    [1, 2].map(
      () =>
        new Promise((resolve, reject) => {
          const w = new Worker(code, { eval: true });
          w.once('message', resolve);
          w.once('error', reject);
        })
    )
  );
  assert.deepEqual(results, [7, 7]);
});
