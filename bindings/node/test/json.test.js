'use strict';

// JS <-> JSON conversion in the addon (no JSON.stringify / JSON.parse):
// what goes in must come back as JSON.parse(JSON.stringify(x)) would.
const test = require('node:test');
const assert = require('node:assert/strict');
const { withDb } = require('./helpers');

function roundTrip(c, value) {
  c.set({ k: value });
  const back = c.get('k');
  const { _v, createdAt, modifiedAt, ...rest } = back;
  return rest;
}

const cases = {
  scalars: { s: 'hello', n: 42, neg: -7, f: 3.25, tiny: 5e-324, big: 1e300, t: true, f2: false, z: null, zero: 0 },
  integers: { max: Number.MAX_SAFE_INTEGER, min: Number.MIN_SAFE_INTEGER, i32: 2147483647, over: 2147483648, e21: 1e21 },
  floats: { a: 0.1, b: 1 / 3, c: -2.5e-8, d: 123456789.125 },
  escapes: { q: 'a"b', bs: 'a\\b', nl: 'l1\nl2', tab: '\t', ctl: '\u0001\u001f', slash: '/', del: '\u007f' },
  unicode: { e: 'é', cjk: '漢字', emoji: '🔥👩‍💻', mixed: 'ünï €😀 end', rtl: 'שלום' },
  nested: { a: { b: { c: { d: [1, [2, [3, { e: 'deep' }]]] } } }, empty: {}, emptyArr: [] },
  arrays: { list: [1, 'two', null, true, { x: 1 }, [1, 2]] },
  longString: { s: 'x'.repeat(100000) + '"\\' + 'ü'.repeat(1000) },
  numericKeys: { 1: 'a', 10: 'b', x: 'c' },
  oddKeys: { 'with space': 1, 'dot.ted': 2, 'ü': 3, '': 4, 'quo"te': 5 },
};

for (const [name, value] of Object.entries(cases)) {
  test(`round trip: ${name}`, (t) => {
    const c = withDb(t).collection('j');
    assert.deepEqual(roundTrip(c, value), JSON.parse(JSON.stringify(value)));
  });
}

test('JSON.stringify rules for values JSON cannot hold', (t) => {
  const c = withDb(t).collection('j');
  const input = {
    u: undefined,
    fn() {},
    sym: Symbol('s'),
    nan: NaN,
    inf: Infinity,
    ninf: -Infinity,
    negZero: -0,
    date: new Date(Date.UTC(2024, 1, 29, 12, 30, 15, 250)),
    badDate: new Date('nope'),
    arr: [undefined, () => 1, NaN, Symbol('x')],
    [Symbol('hidden')]: 1,
  };
  const expected = JSON.parse(JSON.stringify(input));
  assert.deepEqual(roundTrip(c, input), expected);
});

test('only own enumerable properties are written', (t) => {
  const c = withDb(t).collection('j');
  const proto = { inherited: 1 };
  const obj = Object.create(proto);
  obj.own = 2;
  Object.defineProperty(obj, 'hidden', { value: 3, enumerable: false });
  class Point {
    constructor() {
      this.x = 1;
      this.y = 2;
    }
    get len() {
      return 3;
    }
  }
  assert.deepEqual(roundTrip(c, { obj, p: new Point() }), { obj: { own: 2 }, p: { x: 1, y: 2 } });
});

test('BigInt is a TypeError, and nothing is written', (t) => {
  const c = withDb(t).collection('j');
  assert.throws(() => c.set({ k: { n: 10n } }), TypeError);
  assert.equal(c.get('k'), null);
});

test('cycles are a TypeError, not a crash', async (t) => {
  const c = withDb(t).collection('j');
  const a = { name: 'a' };
  a.self = a;
  assert.throws(() => c.set({ k: a }), TypeError);
  const arr = [];
  arr.push(arr);
  assert.throws(() => c.set({ k: { arr } }), TypeError);
  await assert.rejects(c.setAsync({ k: a }), TypeError);
});

test('a throwing getter propagates its error', (t) => {
  const c = withDb(t).collection('j');
  const doc = {
    get boom() {
      throw new RangeError('from getter');
    },
  };
  assert.throws(() => c.set({ k: doc }), /from getter/);
  // The addon's handle scopes stay balanced: later calls still work.
  c.set({ k: { ok: true } });
  assert.equal(c.get('k').ok, true);
});

test('"__proto__" keys come back as own data, not as a prototype', (t) => {
  const c = withDb(t).collection('j');
  const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}');
  const back = roundTrip(c, input);
  assert.equal(Object.getPrototypeOf(back), Object.prototype);
  assert.equal(back.polluted, undefined);
  assert.deepEqual(Object.keys(back).sort(), ['__proto__', 'a']);
  assert.equal(back.__proto__.polluted, true); // own property
  assert.equal({}.polluted, undefined);
});

test('non-object documents are stored as they are', (t) => {
  const c = withDb(t).collection('j');
  for (const v of [5, 'text', true, null, [1, 2]]) {
    c.set({ k: v });
    assert.deepEqual(c.get('k'), v);
  }
});
