'use strict';

// db.subscribe(): change events delivered through a ThreadSafeFunction from
// the engine's delivery thread, in LSN order; a throwing listener; cancel()
// and close() releasing everything so the process can exit.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { kilndb, needs, tmpDir, withDb, until } = require('./helpers');

const pkg = JSON.stringify(path.resolve(__dirname, '..'));

function collect(db, options) {
  const events = [];
  const sub = db.subscribe((ev) => events.push(ev), options);
  return { events, sub };
}

function runChild(script, timeout = 20000) {
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout });
  if (r.error && r.error.code === 'ETIMEDOUT') assert.fail(`child did not exit within ${timeout} ms:\n${r.stdout}\n${r.stderr}`);
  return r;
}

test('events for set, update, delete and drop', async (t) => {
  const db = withDb(t);
  const { events, sub } = collect(db);
  const c = db.collection('users');
  c.set({ u1: { name: 'Ada' } });
  c.update('u1', { age: 36 });
  c.put('u2', 'just text');
  c.delete('u1');
  c.drop();
  await until(() => events.length === 5, 10000, '5 events');
  assert.deepEqual(
    events.map(({ collection, key, newV }) => [collection, key, newV]),
    [
      ['users', 'u1', 1],
      ['users', 'u1', 2],
      ['users', 'u2', 0], // non-object documents have no _v
      ['users', 'u1', null], // delete
      ['users', '*', null], // drop
    ]
  );
  for (const ev of events) {
    assert.deepEqual(Object.keys(ev), ['collection', 'key', 'newV', 'lsn']);
    assert.equal(typeof ev.lsn, 'number');
  }
  for (let i = 1; i < events.length; i++) assert.ok(events[i].lsn > events[i - 1].lsn);
  assert.equal(sub.active, true);
  sub.cancel();
  assert.equal(sub.active, false);
});

test('the lsn of an event matches db.changes()', needs('changes'), async (t) => {
  const db = withDb(t);
  const { events } = collect(db);
  db.collection('a').set({ x: {}, y: {} });
  await until(() => events.length === 2);
  const changes = db.changes(0).changes;
  assert.deepEqual(events.map((e) => [e.key, e.lsn]), changes.map((e) => [e.key, e.lsn]));
});

test('a collection filter only sees its collection', async (t) => {
  const db = withDb(t);
  const a = collect(db, { collection: 'a' });
  const all = collect(db);
  assert.equal(a.sub.collection, 'a');
  assert.equal(all.sub.collection, null);
  db.collection('b').set({ k: {} });
  db.collection('a').set({ k: {} });
  db.collection('b').delete('k');
  await until(() => all.events.length === 3);
  await until(() => a.events.length === 1);
  assert.deepEqual(a.events.map((e) => e.collection), ['a']);
});

test('concurrent async writes: every event arrives once, in LSN order', async (t) => {
  const db = withDb(t);
  const { events, sub } = collect(db);
  const N = 600;
  const writes = [];
  for (let i = 0; i < N; i++) {
    const c = db.collection(`c${i % 3}`);
    writes.push(i % 2 ? c.putAsync(`k${i}`, { i }) : c.setAsync({ [`k${i}`]: { i } }));
  }
  // and sync writes interleaved from the JS thread while the pool works
  for (let i = 0; i < 100; i++) db.collection('sync').put(`s${i}`, { i });
  await Promise.all(writes);
  await until(() => events.length === N + 100, 20000, `${N + 100} events`);
  const lsns = events.map((e) => e.lsn);
  for (let i = 1; i < lsns.length; i++) assert.ok(lsns[i] > lsns[i - 1], `lsn ${lsns[i]} after ${lsns[i - 1]}`);
  const keys = new Set(events.map((e) => `${e.collection}/${e.key}`));
  assert.equal(keys.size, N + 100);
  sub.cancel();
});

test('writes from several worker threads reach one subscriber in LSN order', needs('sync'), async (t) => {
  // A database directory is opened by one handle per process, so the workers
  // write through the main thread's database: they post requests, the main
  // thread runs them with executeAsync (engine calls on the thread pool).
  const { Worker } = require('node:worker_threads');
  const dir = tmpDir();
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const db = kilndb.open(path.join(dir, 'db'), { mode: 'sync' });
  t.after(() => db.close());
  const { events, sub } = collect(db, { collection: 'w' });
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    for (let i = 0; i < 100; i++) parentPort.postMessage({ key: 'w' + workerData + '_' + i, doc: { w: workerData, i } });
    parentPort.postMessage(null);`;
  const pending = [];
  await Promise.all(
    [0, 1, 2].map(
      (w) =>
        new Promise((resolve, reject) => {
          const worker = new Worker(code, { eval: true, workerData: w });
          worker.on('message', (m) => {
            if (m === null) return resolve();
            pending.push(db.executeAsync({ op: 'set', collection: 'w', data: { [m.key]: m.doc } }));
          });
          worker.on('error', reject);
        })
    )
  );
  await Promise.all(pending);
  await until(() => events.length === 300, 20000, '300 events');
  for (let i = 1; i < events.length; i++) assert.ok(events[i].lsn > events[i - 1].lsn);
  assert.equal(new Set(events.map((e) => e.key)).size, 300);
  sub.cancel();
});

test('a subscription inside a worker thread works and ends with the worker', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { open } = require(${pkg});
    const db = open();
    let n = 0;
    db.subscribe(() => {
      if (++n === 50) { parentPort.postMessage(n); db.close(); }
    });
    for (let i = 0; i < 50; i++) db.collection('c').put('k' + i, { i });`;
  const w = new Worker(code, { eval: true });
  const got = await new Promise((resolve, reject) => {
    w.on('message', resolve);
    w.on('error', reject);
  });
  assert.equal(got, 50);
  await new Promise((resolve) => w.on('exit', resolve));
});

test('a throwing listener is reported and delivery goes on', async (t) => {
  const db = withDb(t);
  const warnings = [];
  const onWarning = (w) => {
    if (w.name === 'KilnSubscriptionWarning') warnings.push(w);
  };
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const seen = [];
  const sub = db.subscribe((ev) => {
    seen.push(ev.key);
    if (ev.key === 'bad') throw new RangeError('listener bug');
  });
  db.collection('c').set({ bad: {} });
  db.collection('c').set({ good: {} });
  await until(() => seen.length === 2 && warnings.length === 1, 10000, 'events and a warning');
  assert.deepEqual(seen, ['bad', 'good']);
  assert.equal(warnings[0].code, 'KILN_LISTENER_ERROR');
  assert.ok(warnings[0].cause instanceof RangeError);
  assert.match(warnings[0].message, /listener bug/);
  sub.cancel();
});

test('onError receives what the listener throws (and what it throws itself is a warning)', async (t) => {
  const db = withDb(t);
  const errors = [];
  const sub = db.subscribe(
    (ev) => {
      throw new Error(`no ${ev.key}`);
    },
    { onError: (err, ev) => errors.push([err.message, ev.key]) }
  );
  db.collection('c').set({ a: {}, b: {} });
  await until(() => errors.length === 2);
  assert.deepEqual(errors, [['no a', 'a'], ['no b', 'b']]);
  sub.cancel();

  const warnings = [];
  const onWarning = (w) => w.name === 'KilnSubscriptionWarning' && warnings.push(w);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const sub2 = db.subscribe(() => { throw new Error('first'); }, { onError: () => { throw new Error('second'); } });
  db.collection('c').set({ c: {} });
  await until(() => warnings.length === 1);
  assert.match(warnings[0].message, /second/);
  sub2.cancel();
});

test('a throwing listener does not crash the process (child process)', () => {
  const r = runChild(`
    const { open } = require(${pkg});
    const db = open();
    let n = 0;
    db.subscribe(() => { n++; throw new Error('boom'); });
    for (let i = 0; i < 20; i++) db.collection('c').put('k' + i, {});
    const t = setInterval(() => { if (n === 20) { clearInterval(t); db.close(); console.log('delivered', n); } }, 5);`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'delivered 20');
  assert.match(r.stderr, /KilnSubscriptionWarning/);
});

test('cancel(): no listener call after it returns; idempotent', async (t) => {
  const db = withDb(t);
  const { events, sub } = collect(db);
  const c = db.collection('c');
  for (let i = 0; i < 200; i++) c.put(`k${i}`, { i });
  // Some events are still queued for the JS thread (it was busy writing):
  // they must be dropped.
  sub.cancel();
  const n = events.length;
  sub.cancel();
  c.put('after', {});
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(events.length, n);
  assert.equal(sub.active, false);
  // cancel from inside the listener
  const seen = [];
  const self = db.subscribe((ev) => {
    seen.push(ev.key);
    self.cancel();
  });
  c.put('x', {});
  c.put('y', {});
  await until(() => seen.length >= 1);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, ['x']);
});

test('close() delivers the changes committed before it, then ends every subscription', async () => {
  const db = kilndb.open();
  const { events, sub } = collect(db);
  for (let i = 0; i < 100; i++) db.collection('c').put(`k${i}`, { i });
  db.close();
  assert.equal(sub.active, false);
  await until(() => events.length === 100, 10000, 'events committed before close');
  sub.cancel(); // fine after close
  assert.throws(() => db.subscribe(() => {}), (e) => e.code === 'KILN_CLOSED');
});

test('subscribe argument checks', (t) => {
  const db = withDb(t);
  assert.throws(() => db.subscribe(), TypeError);
  assert.throws(() => db.subscribe('x'), TypeError);
  assert.throws(() => db.subscribe(() => {}, 'users'), TypeError);
  assert.throws(() => db.subscribe(() => {}, { collection: 5 }), TypeError);
  assert.throws(() => db.subscribe(() => {}, { onError: 1 }), TypeError);
  assert.throws(() => db.subscribe(() => {}, { collection: 'bad/name' }), (e) => e.code === 'KILN_INVALID_ARGUMENT');
});

test('a process with an active subscription exits after close()', () => {
  const r = runChild(`
    const { open } = require(${pkg});
    const db = open();
    let n = 0;
    db.subscribe(() => n++);
    db.subscribe(() => {}, { collection: 'c' });
    for (let i = 0; i < 10; i++) db.collection('c').put('k' + i, {});
    db.close();
    process.on('exit', () => console.log('exit', n));`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'exit 10'); // delivered before the loop let go
});

test('a process exits after cancel() even with the database open', () => {
  const r = runChild(`
    const { open } = require(${pkg});
    const db = open();
    const sub = db.subscribe(() => {});
    db.collection('c').put('k', {});
    sub.cancel();
    console.log('done');`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
});

test('an unref()ed subscription does not hold the process; a ref()ed one does until close', () => {
  const r = runChild(`
    const { open } = require(${pkg});
    const db = open();
    db.subscribe(() => {}).unref();
    db.subscribe(() => {}, { ref: false });
    db.collection('c').put('k', {});
    console.log('done');`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'done');
  const held = spawnSync(
    process.execPath,
    ['-e', `const { open } = require(${pkg}); const db = open(); db.subscribe(() => {}).unref().ref();`],
    { timeout: 1500 }
  );
  assert.equal(held.error && held.error.code, 'ETIMEDOUT'); // still held: no close()
});
