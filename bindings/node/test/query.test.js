'use strict';

// The query language through the Collection API. These tests wait on engine
// features being written in parallel; each is skipped (reported as
// "# SKIP waits on: <feature>") until a probe sees the feature in the engine:
//   query        get with where / fields / sort / count / offset / joins:
//                find, findOne, count, getMany with a query
//   deleteWhere  delete with "where": deleteWhere
//   aggregate    op aggregate: aggregate
//   indexes      ops index / drop_index / indexes: createIndex, dropIndex, indexes
//   schema       op schema: setSchema
const test = require('node:test');
const assert = require('node:assert/strict');
const { needs, withDb } = require('./helpers');

function people(t) {
  const c = withDb(t).collection('people');
  c.set({
    p1: { name: 'Ada', age: 36, city: 'London', tags: ['math'] },
    p2: { name: 'Bob', age: 52, city: 'Paris', tags: ['art', 'math'] },
    p3: { name: 'Cy', age: 61, city: 'paris', tags: [] },
    p4: { name: 'Di', age: 19, city: 'Rome' },
    p5: { name: 'Ed', age: 75, city: 'London', address: { zip: '123' } },
  });
  return c;
}

const keys = (docs) => docs.map((d) => d._key);

test('find: where, sort, count, offset, fields', needs('query'), async (t) => {
  const c = people(t);
  assert.deepEqual(keys(c.find({ where: { age: { $gt: 50 } }, sort: ['age'] })), ['p2', 'p3', 'p5']);
  assert.deepEqual(
    keys(c.find({ where: { age: { $gt: 30 } }, sort: [{ field: 'age', order: 'desc' }], count: 2 })),
    ['p5', 'p3']
  );
  assert.deepEqual(keys(c.find({ sort: ['age'], offset: 1, count: 2 })), ['p1', 'p2']);
  // string equality is case-insensitive
  assert.deepEqual(keys(c.find({ where: { city: 'PARIS' }, sort: ['name'] })), ['p2', 'p3']);
  assert.deepEqual(keys(c.find({ where: { $or: [{ city: 'Rome' }, { age: { $gte: 75 } }] }, sort: ['age'] })), ['p4', 'p5']);
  assert.deepEqual(keys(c.find({ where: { tags: { $contains: 'math' } }, sort: ['name'] })), ['p1', 'p2']);
  const projected = c.find({ where: { name: 'Ada' }, fields: ['name'] });
  assert.equal(projected.length, 1);
  assert.equal(projected[0].name, 'Ada');
  assert.equal(projected[0].age, undefined);
  assert.equal(projected[0]._key, 'p1');
  const async = await c.findAsync({ where: { age: { $gt: 30 } }, sort: [{ field: 'age', order: 'desc' }] });
  assert.deepEqual(keys(async), ['p5', 'p3', 'p2', 'p1']);
});

test('find returns [] when nothing matches, sync and async', needs('query'), async (t) => {
  const c = people(t);
  assert.deepEqual(c.find({ where: { age: { $gt: 1000 } } }), []);
  assert.deepEqual(await c.findAsync({ where: { age: { $gt: 1000 } } }), []);
  assert.deepEqual(c.find({ count: 0 }), []);
});

test('find: a malformed query is KILN_INVALID_ARGUMENT', needs('query'), async (t) => {
  const c = people(t);
  assert.throws(() => c.find({ where: { age: { $bogus: 1 } } }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => c.find({ fields: ['a'], excludedFields: ['b'] }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => c.find({ nonsense: true }), { code: 'KILN_INVALID_ARGUMENT' });
  await assert.rejects(c.findAsync({ where: { age: { $in: 5 } } }), { code: 'KILN_INVALID_ARGUMENT' });
});

test('findOne', needs('query'), async (t) => {
  const c = people(t);
  assert.equal(c.findOne({ where: { city: 'Rome' } }).name, 'Di');
  assert.equal(c.findOne({ where: { city: 'Oslo' } }), null);
  assert.equal((await c.findOneAsync({ sort: [{ field: 'age', order: 'desc' }] }))._key, 'p5');
  assert.equal(await c.findOneAsync({ where: { city: 'Oslo' } }), null);
});

test('count', needs('query'), async (t) => {
  const c = people(t);
  assert.equal(c.count(), 5);
  assert.equal(c.count({ city: 'london' }), 2);
  assert.equal(c.count({ age: { $gt: 1000 } }), 0);
  assert.equal(await c.countAsync({ age: { $lt: 40 } }), 2);
  assert.equal(await c.countAsync(), 5);
});

test('getMany with a query', needs('query'), (t) => {
  const c = people(t);
  assert.deepEqual(keys(c.getMany(['p1', 'p2', 'p4'], { where: { age: { $gt: 30 } }, sort: ['age'] })), ['p1', 'p2']);
});

test('joins embed the referenced document', needs('query'), (t) => {
  const db = withDb(t);
  db.collection('cities').set({ lon: { country: 'UK' } });
  db.collection('users').set({ u1: { name: 'Ada', cityKey: 'lon' }, u2: { name: 'Bob', cityKey: 'nowhere' } });
  const docs = db.collection('users').find({
    joins: [{ city: { from: 'cities', on: 'cityKey', fields: ['country'] } }],
    sort: ['name'],
  });
  assert.equal(docs[0].city.country, 'UK');
  assert.equal(docs[1].city, undefined);
});

test('deleteWhere', needs('deleteWhere'), async (t) => {
  const c = people(t);
  assert.equal(c.deleteWhere({ city: 'london' }), 2);
  assert.equal(c.get('p1'), null);
  assert.equal(await c.deleteWhereAsync({ age: { $gt: 50 } }), 2);
  assert.equal(c.deleteWhere({ age: { $gt: 1000 } }), 0);
  assert.equal(c.get('p4').name, 'Di');
  assert.throws(() => c.deleteWhere('x'), TypeError);
});

test('aggregate', needs('aggregate'), async (t) => {
  const c = people(t);
  const all = c.aggregate({ metrics: { n: { $count: 'age' }, total: { $sum: 'age' }, oldest: { $max: 'age' } } });
  assert.ok(all !== null && typeof all === 'object');
  assert.match(JSON.stringify(all), /243/); // 36 + 52 + 61 + 19 + 75
  const grouped = await c.aggregateAsync({ where: { age: { $gt: 20 } }, groupBy: 'city', metrics: { avg: { $avg: 'age' } } });
  assert.ok(grouped !== null && typeof grouped === 'object');
  assert.throws(() => c.aggregate({ metrics: { n: { $median: 'age' } } }), { code: 'KILN_INVALID_ARGUMENT' });
});

test('createIndex / indexes / dropIndex, and unique violations', needs('indexes', 'query'), async (t) => {
  const c = people(t);
  c.createIndex('age');
  await c.createIndexAsync('name', { unique: true });
  const list = c.indexes();
  assert.ok(Array.isArray(list));
  assert.match(JSON.stringify(list), /age/);
  assert.match(JSON.stringify(await c.indexesAsync()), /name/);
  // queries give the same answer with an index
  assert.deepEqual(keys(c.find({ where: { age: { $gt: 50 } }, sort: ['age'] })), ['p2', 'p3', 'p5']);
  assert.throws(() => c.set({ p9: { name: 'Ada' } }), { code: 'KILN_CONFLICT' });
  c.dropIndex('age');
  await c.dropIndexAsync('name');
  assert.doesNotMatch(JSON.stringify(c.indexes()), /"age"/);
  c.set({ p9: { name: 'Ada' } });
});

test('setSchema validates later writes', needs('schema'), async (t) => {
  const c = withDb(t).collection('typed');
  c.setSchema({
    type: 'object',
    properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 0 } },
    required: ['name'],
  });
  c.set({ ok: { name: 'Ada', age: 36 } });
  assert.throws(() => c.set({ bad: { age: 3 } }), { code: 'KILN_INVALID_ARGUMENT' });
  assert.throws(() => c.set({ bad: { name: 'x', age: -1 } }), (e) => e.code === 'KILN_INVALID_ARGUMENT' && /age/.test(e.message));
  assert.equal(c.get('bad'), null);
  await c.setSchemaAsync({ type: 'object' });
  c.set({ bad: { age: 3 } });
  assert.throws(() => c.setSchema({ type: 'no-such-type' }), { code: 'KILN_INVALID_ARGUMENT' });
});
