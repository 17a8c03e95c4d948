'use strict';

// Shared test helpers. Engine features still being written are probed once
// per process: a test that needs one is skipped with "waits on: <feature>"
// until the engine supports it (set KILN_NODE_STRICT=1 to run them anyway).
const fs = require('fs');
const os = require('os');
const path = require('path');
const kilndb = require('..');

const strict = process.env.KILN_NODE_STRICT === '1';

function probe(run) {
  let db;
  try {
    db = kilndb.open({ mode: 'memory' });
    run(db);
    return true;
  } catch (e) {
    if (e && (e.code === 'KILN_INVALID_ARGUMENT' || e.code === 'KILN_INTERNAL')) return false;
    throw e;
  } finally {
    if (db) db.close();
  }
}

function probeDisk(mode, run) {
  const dir = tmpDir();
  try {
    const db = kilndb.open(path.join(dir, 'db'), { mode });
    try {
      if (run) run(db);
    } finally {
      db.close();
    }
    return true;
  } catch (e) {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const cache = new Map();
function has(feature) {
  if (!cache.has(feature)) cache.set(feature, probes[feature]());
  return cache.get(feature);
}

const probes = {
  query: () => probe((db) => db.execute({ op: 'get', collection: 'p', where: { a: { $gt: 1 } }, sort: ['a'], count: 1 })),
  deleteWhere: () => probe((db) => db.execute({ op: 'delete', collection: 'p', where: { a: 1 } })),
  aggregate: () =>
    probe((db) => db.execute({ op: 'aggregate', collection: 'p', metrics: { n: { $count: 'a' } } })),
  indexes: () => probe((db) => db.execute({ op: 'indexes', collection: 'p' })),
  schema: () => probe((db) => db.execute({ op: 'schema', collection: 'p', schema: { type: 'object' } })),
  insert: () => probe((db) => db.execute({ op: 'set', collection: 'p', data: [{ a: 1 }] })),
  changes: () => probe((db) => db.execute({ op: 'changes', since: 0 })),
  stats: () => probe((db) => db.execute({ op: 'stats' })),
  snapshot: () => probeDisk('sync', (db) => db.execute({ op: 'snapshot' })),
  sync: () => probeDisk('sync'),
  async: () => probeDisk('async'),
};

// { skip } option for node:test: a reason while `feature` has not landed.
function needs(...features) {
  if (strict) return {};
  const missing = features.filter((f) => !has(f));
  return missing.length ? { skip: `waits on: ${missing.join(', ')}` } : {};
}

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'kilndb-node-'));
}

// Memory database for one test, closed afterwards.
function withDb(t) {
  const db = kilndb.open({ mode: 'memory' });
  t.after(() => db.close());
  return db;
}

// Resolves once `pred()` is true (polled), rejects after `ms`.
async function until(pred, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

module.exports = { kilndb, needs, has, tmpDir, withDb, until };
