#!/usr/bin/env node
// Side-by-side benchmark of the Node binding against better-sqlite3 (JSON
// text, and JSONB when its SQLite has it) and lokijs, in one run on the same
// data. Prints ops/s per system and kilndb's ratio to each.
//
//   node bench/bench_node.js [--n 1000000] [--gets 200000] [--finds 50] [--only kiln,sqlite,loki] [--cpu]
//
// Workload: N documents of ~200 bytes (name, age 18-90, city one of 50,
// score float, 0-5 tags of 20, active bool, address {zip, street}, email),
// keys doc00000000..; random point gets (the document as a JS object), and
// find(city == X AND age > 50) returning the matching documents, first
// without and then with an index on city where the system has one.
// Peers come from devDependencies; better-sqlite3 is built from source on
// first use (Node headers from the local install).
'use strict';

const path = require('path');
const { spawnSync } = require('child_process');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const N = Number(arg('n', 1_000_000));
const GETS = Number(arg('gets', Math.min(200_000, N * 2)));
const FINDS = Number(arg('finds', 50));
const ONLY = new Set(String(arg('only', 'kiln,sqlite,loki')).split(','));

// ---- Data (bench/data.js) -------------------------------------------------------

const { rng, key, dataset: makeDataset, CITIES } = require('./data');

function dataset() {
  return makeDataset(N);
}

function workload() {
  const r = rng(7);
  const getKeys = Array.from({ length: GETS }, () => key(Math.floor(r() * N)));
  const findCities = Array.from({ length: FINDS }, () => CITIES[Math.floor(r() * CITIES.length)]);
  return { getKeys, findCities };
}

// ---- Timing ------------------------------------------------------------------

// --cpu: rates per second of this process's CPU time (user + system) instead
// of elapsed time, for shared machines where wall time measures the
// neighbours (every system here runs its work on the calling thread).
const CPU = process.argv.includes('--cpu');

function time(fn) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const out = fn();
  if (CPU) {
    const c = process.cpuUsage(c0);
    return { ms: (c.user + c.system) / 1000, out };
  }
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, out };
}

const results = []; // { system, op, opsPerSec, note }

function record(system, op, count, ms, note = '') {
  const opsPerSec = count / (ms / 1000);
  results.push({ system, op, opsPerSec, note });
  console.log(`  ${system.padEnd(22)} ${op.padEnd(18)} ${fmt(opsPerSec).padStart(12)} ops/s  ${note}`);
}

function fmt(x) {
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(2);
}

function runGets(system, getOne, keys) {
  // warm-up
  for (let i = 0; i < Math.min(1000, keys.length); i++) getOne(keys[i]);
  let checksum = 0;
  const { ms } = time(() => {
    for (let i = 0; i < keys.length; i++) checksum += getOne(keys[i]).age;
  });
  record(system, 'get', keys.length, ms, `(checksum ${checksum})`);
}

function runFinds(system, op, findOne, cities) {
  findOne(cities[0]);
  let total = 0;
  const { ms } = time(() => {
    for (const c of cities) total += findOne(c).length;
  });
  record(system, op, cities.length, ms, `(${(total / cities.length).toFixed(0)} docs/query)`);
  return total;
}

// ---- Systems -------------------------------------------------------------------

function benchKiln(docs, w) {
  const { open } = require('..');
  const db = open({ mode: 'memory' });
  const c = db.collection('docs');
  const load = time(() => {
    for (let i = 0; i < N; i += 1000) {
      const chunk = {};
      for (let j = i; j < Math.min(N, i + 1000); j++) chunk[key(j)] = docs[j];
      c.set(chunk);
    }
  });
  record('kilndb', 'load', N, load.ms);
  runGets('kilndb', (k) => c.get(k), w.getKeys);
  const find = (city) => c.find({ where: { city, age: { $gt: 50 } } });
  let supported = true;
  try {
    find(w.findCities[0]);
  } catch (e) {
    supported = false;
    console.log(`  kilndb find skipped: ${e.code} ${e.message}`);
  }
  if (supported) {
    runFinds('kilndb', 'find', find, w.findCities);
    try {
      c.createIndex('city');
      runFinds('kilndb', 'find (index)', find, w.findCities);
    } catch (e) {
      console.log(`  kilndb index skipped: ${e.code} ${e.message}`);
    }
  }
  db.close();
}

function loadBetterSqlite() {
  // require() succeeds even when the native part was never built (npm ci
  // --ignore-scripts); the first Database opening is what loads it.
  try {
    const Database = require('better-sqlite3');
    new Database(':memory:').close();
    return Database;
  } catch (e) {
    console.log('  building better-sqlite3 from source (first use)...');
    const r = spawnSync('npm', ['rebuild', 'better-sqlite3', '--build-from-source'], {
      cwd: path.join(__dirname, '..'),
      stdio: 'inherit',
      env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir || '/usr' },
    });
    if (r.status !== 0) throw new Error('cannot build better-sqlite3');
    return require('better-sqlite3');
  }
}

function benchSqlite(docs, w, jsonb) {
  const Database = loadBetterSqlite();
  const db = new Database(':memory:');
  const version = db.prepare('select sqlite_version() v').get().v;
  const name = jsonb ? 'better-sqlite3 JSONB' : 'better-sqlite3 JSON';
  if (jsonb) {
    const [maj, min] = version.split('.').map(Number);
    if (maj < 3 || (maj === 3 && min < 45)) {
      console.log(`  ${name}: skipped (SQLite ${version} has no JSONB)`);
      return;
    }
  }
  db.exec(`CREATE TABLE docs (key TEXT PRIMARY KEY, doc ${jsonb ? 'BLOB' : 'TEXT'}) WITHOUT ROWID`);
  const ins = db.prepare(`INSERT INTO docs VALUES (?, ${jsonb ? 'jsonb(?)' : '?'})`);
  const load = time(() => {
    const tx = db.transaction((from, to) => {
      for (let j = from; j < to; j++) ins.run(key(j), JSON.stringify(docs[j]));
    });
    for (let i = 0; i < N; i += 10000) tx(i, Math.min(N, i + 10000));
  });
  record(name, 'load', N, load.ms, `(SQLite ${version})`);
  const get = db.prepare(`SELECT ${jsonb ? 'json(doc)' : 'doc'} AS d FROM docs WHERE key = ?`).pluck();
  runGets(name, (k) => JSON.parse(get.get(k)), w.getKeys);
  const sel = jsonb
    ? "SELECT key, json(doc) AS d FROM docs WHERE doc->>'$.city' = ? AND doc->>'$.age' > 50"
    : "SELECT key, doc AS d FROM docs WHERE json_extract(doc, '$.city') = ? AND json_extract(doc, '$.age') > 50";
  const find = db.prepare(sel);
  const findAll = (city) => find.all(city).map((row) => Object.assign(JSON.parse(row.d), { _key: row.key }));
  runFinds(name, 'find', findAll, w.findCities);
  db.exec(jsonb ? "CREATE INDEX by_city ON docs (doc->>'$.city')" : "CREATE INDEX by_city ON docs (json_extract(doc, '$.city'))");
  runFinds(name, 'find (index)', findAll, w.findCities);
  db.close();
}

function benchLoki(docs, w) {
  const Loki = require('lokijs');
  const db = new Loki('bench.db');
  const coll = db.addCollection('docs', { unique: ['_key'], disableMeta: true });
  const load = time(() => {
    for (let i = 0; i < N; i++) coll.insert({ _key: key(i), ...docs[i] });
  });
  record('lokijs', 'load', N, load.ms);
  runGets('lokijs', (k) => coll.by('_key', k), w.getKeys);
  const find = (city) => coll.find({ city, age: { $gt: 50 } });
  runFinds('lokijs', 'find', find, w.findCities);
  coll.ensureIndex('city');
  const findIdx = (city) => coll.find({ city: { $eq: city }, age: { $gt: 50 } });
  runFinds('lokijs', 'find (index)', findIdx, w.findCities);
}

// ---- Main ---------------------------------------------------------------------------

function ratios() {
  const kiln = {};
  for (const r of results) if (r.system === 'kilndb') kiln[r.op] = r.opsPerSec;
  console.log('\nkilndb ratio (kilndb ops/s / peer ops/s; > 1 means kilndb is faster):');
  for (const r of results) {
    if (r.system === 'kilndb' || !kiln[r.op]) continue;
    console.log(`  ${r.op.padEnd(14)} vs ${r.system.padEnd(22)} ${(kiln[r.op] / r.opsPerSec).toFixed(2)}x`);
  }
}

function main() {
  console.log(`kilndb Node benchmark: N=${N.toLocaleString('en-US')} docs, ${GETS} gets, ${FINDS} finds, node ${process.version}, ${CPU ? 'CPU' : 'wall'} time`);
  const { ms: genMs, out: docs } = time(dataset);
  const bytes = JSON.stringify(docs.slice(0, 1000)).length / 1000;
  console.log(`data generated in ${genMs.toFixed(0)} ms, ~${bytes.toFixed(0)} bytes/doc as JSON`);
  const w = workload();
  if (ONLY.has('kiln')) benchKiln(docs, w);
  if (ONLY.has('sqlite')) {
    benchSqlite(docs, w, false);
    benchSqlite(docs, w, true);
  }
  if (ONLY.has('loki')) benchLoki(docs, w);
  ratios();
}

main();
