// Shared by bench_node.js and get_paths.js: the benchmark's documents.
'use strict';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CITIES = Array.from({ length: 50 }, (_, i) => `City${String(i).padStart(2, '0')}`);
const TAGS = Array.from({ length: 20 }, (_, i) => `tag${i}`);
const FIRST = ['Ada', 'Bob', 'Cy', 'Di', 'Ed', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim', 'Lu'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Knuth', 'Liskov', 'Ritchie', 'Thompson', 'Wirth'];

function key(i) {
  return `doc${String(i).padStart(8, '0')}`;
}

function makeDoc(r, i) {
  const first = FIRST[Math.floor(r() * FIRST.length)];
  const last = LAST[Math.floor(r() * LAST.length)];
  const tags = [];
  const nt = Math.floor(r() * 6);
  for (let t = 0; t < nt; t++) tags.push(TAGS[Math.floor(r() * TAGS.length)]);
  return {
    name: `${first} ${last}`,
    age: 18 + Math.floor(r() * 73),
    city: CITIES[Math.floor(r() * CITIES.length)],
    score: Math.round(r() * 100000) / 100,
    tags,
    active: r() < 0.5,
    address: { zip: String(10000 + Math.floor(r() * 89999)), street: `${1 + Math.floor(r() * 999)} Main St` },
    email: `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com`,
  };
}

function dataset(n) {
  const r = rng(42);
  const docs = new Array(n);
  for (let i = 0; i < n; i++) docs[i] = makeDoc(r, i);
  return docs;
}

module.exports = { rng, key, makeDoc, dataset, CITIES, TAGS };
