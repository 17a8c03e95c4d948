#!/usr/bin/env node
// How should a document cross from the engine into JS? Times the candidate
// result paths of `get` (and the input paths of `set` / `put`) side by side,
// in one process, on the same data, interleaved over several repetitions,
// and prints the median of each. The peers (better-sqlite3 JSON text +
// JSON.parse, lokijs by()) run in the same loop for the ratios. See
// BENCHMARKS.md ("Choosing the data path").
//
//   node bench/get_paths.js [--n 100000] [--gets 200000] [--reps 5] [--no-peers] [--wall]
//
// get paths (all return the same object, checked before timing):
//   a  N-API objects: simdjson DOM -> napi_create_object/define_properties
//   b1 the JSON text as a JS string via napi_create_string_utf8, then JSON.parse
//   b2 same, latin1 (plain copy into a one-byte string) when the text is ASCII
//   b3 same, an external one-byte string over the engine's buffer (no copy)
//   c  N-API with shape-cached factories: one compiled JS function per
//      object shape builds the object from its N-API leaf values
// and two references (not result paths): the engine call + string creation
// alone, and JSON.parse of texts already held in JS (the floor of any path
// that hands out a fresh object made by JSON.parse).
'use strict';

const assert = require('node:assert/strict');
const { key, dataset } = require('./data');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const N = Number(arg('n', 100_000));
const GETS = Number(arg('gets', 200_000));
const REPS = Number(arg('reps', 5));
const SETN = Number(arg('setn', Math.min(N, 50_000)));
const PEERS = !process.argv.includes('--no-peers');

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

// The machine this was written on is shared (load 4-7 on 2 cores), so wall
// time mostly measures the neighbours: by default rates are per second of
// this process's CPU time (user + system, all its threads, GC helpers
// included); --wall uses elapsed time.
const WALL = process.argv.includes('--wall');

function opsPerSec(count, fn) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  const secs = WALL ? Number(process.hrtime.bigint() - t0) / 1e9 : (c.user + c.system) / 1e6;
  return count / secs;
}

function main() {
  const kilndb = require('..');
  console.log(`get/set data paths: N=${N}, ${GETS} gets x ${REPS} reps, set/put of ${SETN} docs, node ${process.version}, ${WALL ? 'wall' : 'CPU'} time`);
  const docs = dataset(N);
  const r = (() => {
    let a = 7;
    return () => ((a = (a * 1103515245 + 12345) >>> 0) / 4294967296);
  })();
  const keys = Array.from({ length: GETS }, () => key(Math.floor(r() * N)));

  const db = kilndb.open({ mode: 'memory' });
  const native = db._native;
  const c = db.collection('docs');
  for (let i = 0; i < N; i += 1000) {
    const chunk = {};
    for (let j = i; j < Math.min(N, i + 1000); j++) chunk[key(j)] = docs[j];
    c.set(chunk);
  }

  const get = {
    'a  N-API objects': (k) => native.getObject('docs', k),
    'b1 string utf8 + JSON.parse': (k) => JSON.parse(native.getText('docs', k, 0)),
    'b2 string latin1 + JSON.parse': (k) => JSON.parse(native.getText('docs', k, 1)),
    'b3 external latin1 + JSON.parse': (k) => JSON.parse(native.getText('docs', k, 2)),
    'kilndb c.get() (public API)': (k) => c.get(k),
  };
  if (native.getShaped) get['c  N-API, shape-cached factories'] = (k) => native.getShaped('docs', k);

  const held = keys.map((k) => native.getText('docs', k, 1));
  const one = { age: 1 };
  const refs = {
    'ref: engine + string, no parse': (k) => (native.getText('docs', k, 1), one),
    'ref: JSON.parse of held strings': (k, j) => JSON.parse(held[j]),
  };

  // Same objects from every path (key order included).
  for (const k of keys.slice(0, 2000)) {
    const want = JSON.stringify(native.getObject('docs', k));
    for (const [name, fn] of Object.entries(get)) assert.equal(JSON.stringify(fn(k)), want, name);
  }

  if (PEERS) {
    const Database = require('better-sqlite3');
    const sdb = new Database(':memory:');
    sdb.exec('CREATE TABLE docs (key TEXT PRIMARY KEY, doc TEXT) WITHOUT ROWID');
    const ins = sdb.prepare('INSERT INTO docs VALUES (?, ?)');
    sdb.transaction(() => {
      for (let i = 0; i < N; i++) ins.run(key(i), JSON.stringify(docs[i]));
    })();
    const sget = sdb.prepare('SELECT doc FROM docs WHERE key = ?').pluck();
    get['peer better-sqlite3 JSON + JSON.parse'] = (k) => JSON.parse(sget.get(k));
    const Loki = require('lokijs');
    const coll = new Loki('paths.db').addCollection('docs', { unique: ['_key'], disableMeta: true });
    for (let i = 0; i < N; i++) coll.insert({ _key: key(i), ...docs[i] });
    get['peer lokijs by()'] = (k) => coll.by('_key', k);
  }
  Object.assign(get, refs);

  const set = {
    'a  set: C++ writer (N-API walk)': (name, chunk) => native.executeValue({ op: 'set', collection: name, data: chunk }),
    'b  set: JSON.stringify + string': (name, chunk) =>
      native.execute(JSON.stringify({ op: 'set', collection: name, data: chunk })),
    'a  put: C++ writer (N-API walk)': (name, chunk) => {
      for (const k in chunk) native.putValue(name, k, chunk[k]);
    },
    'b  put: JSON.stringify + string': (name, chunk) => {
      for (const k in chunk) native.put(name, k, JSON.stringify(chunk[k]));
    },
  };
  const chunks = [];
  for (let i = 0; i < SETN; i += 1000) {
    const chunk = {};
    for (let j = i; j < Math.min(SETN, i + 1000); j++) chunk[key(j)] = docs[j];
    chunks.push(chunk);
  }

  // getMany of 50 keys (the path of find and getMany: one response holding many documents)
  const MANY = 50;
  const manyKeys = [];
  for (let i = 0; i + MANY <= keys.length && manyKeys.length < keys.length / MANY / 4; i += MANY) manyKeys.push(keys.slice(i, i + MANY));
  const many = {
    'a  getMany(50): N-API objects': (ks) => native.executeValue({ op: 'get', collection: 'docs', keys: ks }),
    'b  getMany(50): string + JSON.parse': (ks) =>
      JSON.parse(native.execute(JSON.stringify({ op: 'get', collection: 'docs', keys: ks }))),
  };
  assert.equal(JSON.stringify(many['a  getMany(50): N-API objects'](manyKeys[0])), JSON.stringify(c.getMany(manyKeys[0])));

  const samples = {};
  for (const name of Object.keys(many)) samples[name] = [];
  for (const name of [...Object.keys(get), ...Object.keys(set)]) samples[name] = [];
  for (let rep = 0; rep < REPS; rep++) {
    // rotate the order each rep so no path always runs first
    const names = Object.keys(get);
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length];
      const fn = get[name];
      for (let w = 0; w < 2000; w++) fn(keys[w], w);
      let sum = 0;
      samples[name].push(opsPerSec(keys.length, () => {
        for (let j = 0; j < keys.length; j++) sum += fn(keys[j], j).age;
      }));
      if (sum <= 0) throw new Error('bad checksum');
    }
    const mnames = Object.keys(many);
    for (let i = 0; i < mnames.length; i++) {
      const name = mnames[(i + rep) % mnames.length];
      let docsOut = 0;
      const rate = opsPerSec(1, () => {
        for (const ks of manyKeys) docsOut += many[name](ks).length;
      });
      samples[name].push(rate * docsOut); // documents per second
    }
    const snames = Object.keys(set);
    for (let i = 0; i < snames.length; i++) {
      const name = snames[(i + rep) % snames.length];
      const coll = `w${rep}_${i}`;
      samples[name].push(opsPerSec(SETN, () => {
        for (const chunk of chunks) set[name](coll, chunk);
      }));
      native.execute(JSON.stringify({ op: 'delete', collection: coll, drop: true }));
    }
  }

  console.log('\nmedian ops/s (min .. max) over reps; getMany in documents/s, set/put in documents/s:');
  const med = {};
  for (const [name, xs] of Object.entries(samples)) {
    med[name] = median(xs);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    console.log(`  ${name.padEnd(40)} ${Math.round(med[name]).toLocaleString('en-US').padStart(10)}   (${Math.round(lo).toLocaleString('en-US')} .. ${Math.round(hi).toLocaleString('en-US')})`);
  }
  const base = med['a  N-API objects'];
  console.log('\nget relative to (a):');
  for (const name of Object.keys(get)) if (!name.startsWith('ref')) console.log(`  ${name.padEnd(40)} ${(med[name] / base).toFixed(2)}x`);
  if (PEERS) {
    const pub = med['kilndb c.get() (public API)'];
    console.log(`\nkilndb c.get() vs better-sqlite3: ${(pub / med['peer better-sqlite3 JSON + JSON.parse']).toFixed(2)}x, vs lokijs: ${(pub / med['peer lokijs by()']).toFixed(2)}x`);
  }
  uniqueShapes(native);
  db.close();
}

// Documents whose shapes never repeat (each holds a map with its own keys):
// the case where (c) must compile a factory per document.
function uniqueShapes(native) {
  const M = 20_000;
  const rows = [];
  for (let i = 0; i < M; i += 1000) {
    const data = {};
    for (let j = i; j < i + 1000; j++) data[`k${j}`] = { name: 'x', tags: { [`u${j}`]: 1, [`v${j * 7}`]: 2 } };
    native.execute(JSON.stringify({ op: 'set', collection: 'shapes', data }));
  }
  const run = (label, fn) => {
    const rss0 = process.memoryUsage().rss;
    const rate = opsPerSec(M, () => {
      for (let j = 0; j < M; j++) fn(`k${j}`);
    });
    rows.push(`  ${label.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(10)}   RSS ${((process.memoryUsage().rss - rss0) / 1e6).toFixed(0)} MB`);
  };
  run('b1 string + JSON.parse', (k) => JSON.parse(native.getText('shapes', k, 0)));
  run('a  N-API objects', (k) => native.getObject('shapes', k));
  run('c  shape factories, first read of each shape', (k) => native.getShaped('shapes', k));
  run('c  shape factories, second read', (k) => native.getShaped('shapes', k));
  console.log(`\n${M} documents with unique shapes, each read once per row (ops/s, RSS growth):\n${rows.join('\n')}`);
}

main();
