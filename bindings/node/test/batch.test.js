'use strict';

// Database#batch: writes collected by a callback (or given as requests) are
// sent as ONE {"op":"batch"} request, applied all together or not at all.
const test = require('node:test');
const assert = require('node:assert/strict');
const { kilndb, withDb } = require('./helpers');

test('batch applies writes across collections', (t) => {
  const db = withDb(t);
  db.collection('a').set({ x: { n: 0 }, gone: {} });
  db.batch((tx) => {
    tx.collection('a').set({ y: { n: 1 } }).update('x', { n: 5 }).delete('gone');
    tx.collection('b').put('z', { n: 2 });
    tx.execute({ op: 'set', collection: 'b', data: { w: { n: 3 } } });
  });
  assert.equal(db.collection('a').get('y').n, 1);
  assert.equal(db.collection('a').get('x').n, 5);
  assert.equal(db.collection('a').get('gone'), null);
  assert.equal(db.collection('b').get('z').n, 2);
  assert.equal(db.collection('b').get('w').n, 3);
});

test('batch is atomic: one failing write applies nothing', async (t) => {
  const db = withDb(t);
  const a = db.collection('a');
  a.set({ x: { n: 1 } });
  a.set({ x: { n: 2 } }); // _v 2
  assert.throws(
    () =>
      db.batch((tx) => {
        tx.collection('a').set({ y: { n: 1 } });
        tx.collection('b').set({ z: { n: 1 } });
        tx.collection('a').update('x', { n: 3, _v: 1 }); // stale guard
      }),
    { name: 'KilnError', code: 'KILN_CONFLICT' }
  );
  assert.equal(a.get('y'), null);
  assert.equal(db.collection('b').get('z'), null);
  assert.equal(a.get('x').n, 2);
  await assert.rejects(
    db.batchAsync((tx) => {
      tx.collection('a').set({ y: { n: 1 } });
      tx.collection('a').update('x', { n: 3, _v: 1 });
    }),
    { code: 'KILN_CONFLICT' }
  );
  assert.equal(a.get('y'), null);
});

test('OCC: a _v guard in a batch commits when current', (t) => {
  const db = withDb(t);
  const acct = db.collection('acct');
  acct.set({ alice: { balance: 10 }, bob: { balance: 0 } });
  const alice = acct.get('alice');
  const bob = acct.get('bob');
  db.batch((tx) => {
    tx.collection('acct').update({
      alice: { balance: alice.balance - 4, _v: alice._v },
      bob: { balance: bob.balance + 4, _v: bob._v },
    });
  });
  assert.equal(acct.get('alice').balance, 6);
  assert.equal(acct.get('bob').balance, 4);
});

test('a throwing callback sends nothing', (t) => {
  const db = withDb(t);
  assert.throws(
    () =>
      db.batch((tx) => {
        tx.collection('a').set({ x: {} });
        throw new Error('changed my mind');
      }),
    /changed my mind/
  );
  assert.equal(db.collection('a').get('x'), null);
});

test('an async callback is refused (batches only collect writes)', async (t) => {
  const db = withDb(t);
  assert.throws(() => db.batch(async () => {}), TypeError);
  await assert.rejects(db.batchAsync(async () => {}), TypeError);
  assert.throws(() => db.batch(42), TypeError);
});

test('batch with an array of requests, sync and async', async (t) => {
  const db = withDb(t);
  db.batch([
    { op: 'set', collection: 'a', data: { x: { n: 1 } } },
    { op: 'set', collection: 'a', data: { y: { n: 2 } } },
  ]);
  assert.equal(db.collection('a').get('y').n, 2);
  await db.batchAsync((tx) => {
    tx.collection('a').delete(['x', 'y']);
  });
  assert.deepEqual(db.collection('a').find(), []);
});

test('Batch collects plain requests', () => {
  const b = new kilndb.Batch();
  b.collection('c').set({ k: { a: 1 } }).drop();
  assert.deepEqual(b.ops, [
    { op: 'set', collection: 'c', data: { k: { a: 1 } } },
    { op: 'delete', collection: 'c', drop: true },
  ]);
});
