'use strict';

// kilndb for Node.js: the idiomatic API over the native addon.
//
// Every method builds one request of the kilndb request language (QUERY.md)
// and runs it through the engine. Requests and documents cross as JSON text:
// JSON.stringify here, and the engine's result text parsed by V8's
// JSON.parse, which measured 2-4x faster than building or walking JS values
// through N-API in C++ (see BENCHMARKS.md). Each potentially slow call has an
// `...Async` twin that runs the engine call on libuv's thread pool and
// returns a Promise.
//
// The engine reports "nothing found" as an outcome, not a failure: the addon
// returns `undefined` for it, and this layer maps that to `null` (one
// document) or `[]` (a list). Every failure is a KilnError whose `code` is the
// C status name ('KILN_CONFLICT', 'KILN_CLOSED', ...).

const native = require('./binding');
const { KilnError, Status } = require('./errors');

native.setErrorClass(KilnError);

const NOT_FOUND = undefined;

// JS value -> JSON text (JSON.stringify's rules; a value it drops, e.g.
// undefined or a function, is stored as null).
function encode(value) {
  const text = JSON.stringify(value);
  return text === undefined ? 'null' : text;
}

// The addon's result text -> JS value (undefined stays NOT_FOUND).
function decode(text) {
  return text === NOT_FOUND ? NOT_FOUND : JSON.parse(text);
}

function toArray(v) {
  return v === NOT_FOUND || v === null ? [] : v;
}

function closedError() {
  return new KilnError('The database is closed', 'KILN_CLOSED', Status.KILN_CLOSED);
}

function checkName(value, what) {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

function checkObject(value, what) {
  if (value === null || typeof value !== 'object') throw new TypeError(`${what} must be an object`);
  return value;
}

// open() options: camelCase names are sent in the engine's snake_case
// (maxDepth -> max_depth); unknown names are rejected by the engine.
function engineOptions(options) {
  if (options === undefined || options === null) return undefined;
  checkObject(options, 'options');
  const out = {};
  for (const key of Object.keys(options)) {
    if (options[key] === undefined) continue;
    out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = options[key];
  }
  return out;
}

function openArgs(path, options) {
  if (path !== null && typeof path === 'object' && options === undefined) {
    options = path;
    path = undefined;
  }
  if (path !== undefined && path !== null) checkName(path, 'path');
  return [path === undefined ? null : path, engineOptions(options)];
}

// ---- Request builders, shared by Collection, its Async twins and batches ----

const req = {
  set(name, data) {
    checkObject(data, 'data');
    return { op: 'set', collection: name, data };
  },
  insert(name, docs) {
    checkObject(docs, 'docs');
    return { op: 'set', collection: name, data: Array.isArray(docs) ? docs : [docs] };
  },
  update(name, keyOrData, patch) {
    if (typeof keyOrData === 'string') {
      checkObject(patch, 'patch');
      return { op: 'update', collection: name, data: { [keyOrData]: patch } };
    }
    checkObject(keyOrData, 'data');
    return { op: 'update', collection: name, data: keyOrData };
  },
  delete(name, keys) {
    if (typeof keys !== 'string' && !Array.isArray(keys)) throw new TypeError('keys must be a string or an array of strings');
    return { op: 'delete', collection: name, keys };
  },
  deleteWhere(name, where) {
    checkObject(where, 'where');
    return { op: 'delete', collection: name, where };
  },
  drop(name) {
    return { op: 'delete', collection: name, drop: true };
  },
  getMany(name, keys, query) {
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array of strings');
    return { ...(query === undefined ? {} : checkObject(query, 'query')), op: 'get', collection: name, keys };
  },
  find(name, query) {
    if (query === undefined || query === null) return { op: 'get', collection: name };
    checkObject(query, 'query');
    return { ...query, op: 'get', collection: name };
  },
  findOne(name, query) {
    return { ...req.find(name, query), count: 1 };
  },
  count(name, where) {
    const r = { op: 'get', collection: name, fields: ['_v'] };
    if (where !== undefined && where !== null) r.where = checkObject(where, 'where');
    return r;
  },
  aggregate(name, spec) {
    checkObject(spec, 'spec');
    return { ...spec, op: 'aggregate', collection: name };
  },
  createIndex(name, field, options) {
    checkName(field, 'field');
    const r = { op: 'index', collection: name, field };
    if (options && options.unique !== undefined) r.unique = !!options.unique;
    return r;
  },
  dropIndex(name, field) {
    return { op: 'drop_index', collection: name, field: checkName(field, 'field') };
  },
  indexes(name) {
    return { op: 'indexes', collection: name };
  },
  setSchema(name, schema) {
    checkObject(schema, 'schema');
    return { op: 'schema', collection: name, schema };
  },
};

// ---- Result mappers ----

const res = {
  set: (r) => (r && typeof r.count === 'number' ? r.count : 0),
  insert: (single) => (r) => {
    const ids = (r && r.ids) || [];
    return single ? ids[0] : ids;
  },
  update: (r) => (r && typeof r.updated === 'number' ? r.updated : 0),
  delete: (r) => (r && typeof r.deleted === 'number' ? r.deleted : 0),
  drop: (r) => !!(r && r.dropped),
  list: toArray,
  one: (r) => {
    const list = toArray(r);
    return list.length ? list[0] : null;
  },
  count: (r) => toArray(r).length,
  raw: (r) => (r === NOT_FOUND ? null : r),
  indexes: (r) => {
    if (r === NOT_FOUND || r === null) return [];
    if (Array.isArray(r)) return r;
    return Array.isArray(r.indexes) ? r.indexes : r;
  },
};

class Collection {
  constructor(db, name) {
    this._db = db;
    this._name = name;
  }

  /** The collection's name. */
  get name() {
    return this._name;
  }

  get database() {
    return this._db;
  }

  _run(request, map) {
    return map(decode(this._db._nativeOrThrow().execute(encode(request))));
  }

  async _runAsync(request, map) {
    const text = await this._db._nativeOrThrow().executeAsync(encode(request));
    return map(decode(text));
  }

  // Insert or replace documents: set({ key: doc, ... }) -> number written.
  set(data) { return this._run(req.set(this._name, data), res.set); }
  async setAsync(data) { return this._runAsync(req.set(this._name, data), res.set); }

  // One document through the engine's hot path -> its new _v (0 for non-objects).
  put(key, doc) { return this._db._nativeOrThrow().put(this._name, checkName(key, 'key'), encode(doc)); }
  async putAsync(key, doc) { return this._db._nativeOrThrow().putAsync(this._name, checkName(key, 'key'), encode(doc)); }

  // Insert with generated (UUIDv7) keys: an array -> array of keys, one doc -> its key.
  insert(docs) { return this._run(req.insert(this._name, docs), res.insert(!Array.isArray(docs))); }
  async insertAsync(docs) { return this._runAsync(req.insert(this._name, docs), res.insert(!Array.isArray(docs))); }

  // The document at `key`, or null.
  get(key) {
    const text = this._db._nativeOrThrow().get(this._name, checkName(key, 'key'));
    return text === NOT_FOUND ? null : JSON.parse(text);
  }
  async getAsync(key) {
    const text = await this._db._nativeOrThrow().getAsync(this._name, checkName(key, 'key'));
    return text === NOT_FOUND ? null : JSON.parse(text);
  }

  // The documents found at `keys` (each with _key; missing keys left out).
  getMany(keys, query) { return this._run(req.getMany(this._name, keys, query), res.list); }
  async getManyAsync(keys, query) { return this._runAsync(req.getMany(this._name, keys, query), res.list); }

  // Partial merge: update({ key: patch, ... }) or update(key, patch) -> number updated.
  update(keyOrData, patch) { return this._run(req.update(this._name, keyOrData, patch), res.update); }
  async updateAsync(keyOrData, patch) { return this._runAsync(req.update(this._name, keyOrData, patch), res.update); }

  // Delete by key(s) -> number deleted.
  delete(keys) { return this._run(req.delete(this._name, keys), res.delete); }
  async deleteAsync(keys) { return this._runAsync(req.delete(this._name, keys), res.delete); }

  // Delete the documents matching `where` -> number deleted.
  deleteWhere(where) { return this._run(req.deleteWhere(this._name, where), res.delete); }
  async deleteWhereAsync(where) { return this._runAsync(req.deleteWhere(this._name, where), res.delete); }

  // Delete the whole collection -> true when it was dropped.
  drop() { return this._run(req.drop(this._name), res.drop); }
  async dropAsync() { return this._runAsync(req.drop(this._name), res.drop); }

  // Query: { where, fields | excludedFields, joins, sort, count, offset, keys } -> array ([] when none).
  find(query) { return this._run(req.find(this._name, query), res.list); }
  async findAsync(query) { return this._runAsync(req.find(this._name, query), res.list); }

  // The first match of find(query), or null.
  findOne(query) { return this._run(req.findOne(this._name, query), res.one); }
  async findOneAsync(query) { return this._runAsync(req.findOne(this._name, query), res.one); }

  // Number of documents matching `where` (all when omitted).
  count(where) { return this._run(req.count(this._name, where), res.count); }
  async countAsync(where) { return this._runAsync(req.count(this._name, where), res.count); }

  // { where?, groupBy?, metrics: { name: { $count|$sum|$avg|$min|$max: path } } } -> the engine's result.
  aggregate(spec) { return this._run(req.aggregate(this._name, spec), res.raw); }
  async aggregateAsync(spec) { return this._runAsync(req.aggregate(this._name, spec), res.raw); }

  createIndex(field, options) { return this._run(req.createIndex(this._name, field, options), res.raw); }
  async createIndexAsync(field, options) { return this._runAsync(req.createIndex(this._name, field, options), res.raw); }

  dropIndex(field) { return this._run(req.dropIndex(this._name, field), res.raw); }
  async dropIndexAsync(field) { return this._runAsync(req.dropIndex(this._name, field), res.raw); }

  indexes() { return this._run(req.indexes(this._name), res.indexes); }
  async indexesAsync() { return this._runAsync(req.indexes(this._name), res.indexes); }

  // A JSON Schema every later write must satisfy.
  setSchema(schema) { return this._run(req.setSchema(this._name, schema), res.raw); }
  async setSchemaAsync(schema) { return this._runAsync(req.setSchema(this._name, schema), res.raw); }
}

// The writes of one batch, collected by Database#batch's callback.
class BatchCollection {
  constructor(ops, name) {
    this._ops = ops;
    this._name = name;
  }

  get name() { return this._name; }
  set(data) { this._ops.push(req.set(this._name, data)); return this; }
  put(key, doc) { this._ops.push(req.set(this._name, { [checkName(key, 'key')]: doc })); return this; }
  insert(docs) { this._ops.push(req.insert(this._name, docs)); return this; }
  update(keyOrData, patch) { this._ops.push(req.update(this._name, keyOrData, patch)); return this; }
  delete(keys) { this._ops.push(req.delete(this._name, keys)); return this; }
  deleteWhere(where) { this._ops.push(req.deleteWhere(this._name, where)); return this; }
  drop() { this._ops.push(req.drop(this._name)); return this; }
}

class Batch {
  constructor() {
    this.ops = [];
  }

  collection(name) { return new BatchCollection(this.ops, checkName(name, 'collection name')); }

  // Any write request of the request language, added as is.
  execute(request) { this.ops.push(checkObject(request, 'request')); return this; }
}

function collectBatch(fnOrOps) {
  if (Array.isArray(fnOrOps)) return fnOrOps;
  if (typeof fnOrOps !== 'function') throw new TypeError('batch expects a function or an array of requests');
  const b = new Batch();
  const ret = fnOrOps(b);
  if (ret && typeof ret.then === 'function') {
    throw new TypeError('the batch callback must be synchronous (it only collects writes)');
  }
  return b.ops;
}

// A change subscription (Database#subscribe). The listener runs on the JS
// thread, once per committed change, in LSN order.
class Subscription {
  constructor(db, listener, collection, onError) {
    this._db = db;
    this._collection = collection;
    this._cancelled = false;
    // Called by the addon with positional arguments (cheaper than building
    // the event object in C++).
    const deliver = (coll, key, newV, lsn) => {
      if (this._cancelled) return;
      const event = { collection: coll, key, newV, lsn };
      try {
        listener(event);
      } catch (err) {
        reportListenerError(err, event, onError);
      }
    };
    this._native = db._nativeOrThrow().subscribe(collection, deliver);
  }

  /** The collection listened to, or null for all. */
  get collection() {
    return this._collection;
  }

  /** true until cancel() or the database's close(). */
  get active() {
    return !this._cancelled && this._db.isOpen;
  }

  // Ends the subscription: the listener is not called after cancel()
  // returns. Idempotent; also fine after close().
  cancel() {
    if (this._cancelled) return;
    this._cancelled = true;
    this._native.cancel();
  }

  // Like a timer's: an active subscription keeps the process alive (so the
  // events of the last writes are delivered) until cancel() or close();
  // unref() lets the process exit while it is active.
  unref() {
    if (!this._cancelled) this._native.unref();
    return this;
  }

  ref() {
    if (!this._cancelled) this._native.ref();
    return this;
  }
}

// A throwing listener must not take the process down: the error goes to
// options.onError(err, event), else becomes a process warning
// (KilnSubscriptionWarning, the error as `cause`), and delivery goes on.
function reportListenerError(err, event, onError) {
  if (onError) {
    try {
      onError(err, event);
      return;
    } catch (e) {
      err = e;
    }
  }
  try {
    const w = new Error(
      `kilndb: a subscription listener threw on ${event.collection}/${event.key} (lsn ${event.lsn}): ${
        err && err.message !== undefined ? err.message : String(err)
      }`,
      { cause: err }
    );
    w.name = 'KilnSubscriptionWarning';
    w.code = 'KILN_LISTENER_ERROR';
    process.emitWarning(w);
  } catch {
    // nothing left to report to
  }
}

function subscribeArgs(listener, options) {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  const o = options === undefined || options === null ? {} : checkObject(options, 'options');
  const collection = o.collection === undefined || o.collection === null ? null : checkName(o.collection, 'options.collection');
  if (o.onError !== undefined && typeof o.onError !== 'function') throw new TypeError('options.onError must be a function');
  return [collection, o.onError, o.ref === false];
}

class Database {
  constructor(nativeDb) {
    this._native = nativeDb;
    this._collections = new Map();
  }

  _nativeOrThrow() {
    const n = this._native;
    if (n === null) throw closedError();
    return n;
  }

  /** true until close(). */
  get isOpen() {
    return this._native !== null && this._native.isOpen;
  }

  // Any request of the request language -> the engine's response (null when nothing was found).
  execute(request) { return res.raw(decode(this._nativeOrThrow().execute(encode(checkObject(request, 'request'))))); }
  async executeAsync(request) {
    return res.raw(decode(await this._nativeOrThrow().executeAsync(encode(checkObject(request, 'request')))));
  }

  collection(name) {
    checkName(name, 'collection name');
    let c = this._collections.get(name);
    if (!c) {
      c = new Collection(this, name);
      this._collections.set(name, c);
    }
    return c;
  }

  // Atomic writes: batch((tx) => { tx.collection('a').set({...}); ... }) or batch([request, ...]).
  // All are applied together or none (one WAL record); returns the engine's response.
  batch(fnOrOps) {
    const ops = collectBatch(fnOrOps);
    return this.execute({ op: 'batch', ops });
  }
  async batchAsync(fnOrOps) {
    const ops = collectBatch(fnOrOps);
    return this.executeAsync({ op: 'batch', ops });
  }

  // Committed writes since `since` (an LSN): the engine's change list,
  // { changes: [{ collection, key, lsn, new_v }], last_lsn }.
  changes(since, options) { return this.execute(changesRequest(since, options)); }
  async changesAsync(since, options) { return this.executeAsync(changesRequest(since, options)); }

  // Writes a snapshot of the whole database now (not in memory mode).
  snapshot() { return this.execute({ op: 'snapshot' }); }
  async snapshotAsync() { return this.executeAsync({ op: 'snapshot' }); }

  stats() { return this.execute({ op: 'stats' }); }
  async statsAsync() { return this.executeAsync({ op: 'stats' }); }

  // Makes every write acknowledged so far durable (needed only in 'async'
  // mode; returns at once in 'sync' mode, does nothing in 'memory' mode).
  flush() { this._nativeOrThrow().flush(); }
  async flushAsync() { await this._nativeOrThrow().flushAsync(); }

  // Calls listener({ collection, key, newV, lsn }) for every change committed
  // from now on (newV: the document's new _v, null for a delete or a
  // collection drop, whose key is '*'). options: { collection, onError,
  // ref }. Returns a Subscription; cancel() it, or close() the database.
  subscribe(listener, options) {
    const [collection, onError, unref] = subscribeArgs(listener, options);
    const sub = new Subscription(this, listener, collection, onError);
    if (unref) sub.unref();
    return sub;
  }

  // Closes the database (waits for calls still running on worker threads).
  // Later calls throw KilnError KILN_CLOSED. Idempotent. Subscriptions end:
  // changes committed before close() are still delivered (the listener may
  // run after close() returned), then nothing holds the process any more.
  close() {
    const n = this._native;
    if (n === null) return;
    this._native = null;
    n.close();
  }
  async closeAsync() {
    const n = this._native;
    if (n === null) return;
    this._native = null;
    await n.closeAsync();
  }
}

function changesRequest(since, options) {
  const r = { ...(options ? checkObject(options, 'options') : {}), op: 'changes' };
  r.since = since === undefined || since === null ? 0 : since;
  return r;
}

// Opens (creating if missing) the database at `path`; no path = memory mode.
// options: { mode: 'sync' | 'async' | 'memory', maxDepth, maxRequestBytes, maxKeys, ... }.
function open(path, options) {
  const [p, o] = openArgs(path, options);
  return new Database(native.open(p, o));
}

async function openAsync(path, options) {
  const [p, o] = openArgs(path, options);
  return new Database(await native.openAsync(p, o));
}

// Checks every checksum of every file of the database directory at `path`
// without opening it for writing -> { ok, files: [{ file, kind, ok, detail }],
// problems: [], warnings: [] }. Throws (KilnError) only when the check
// cannot run, e.g. no such directory.
function verify(path) {
  return JSON.parse(native.verify(checkName(path, 'path')));
}

async function verifyAsync(path) {
  return JSON.parse(await native.verifyAsync(checkName(path, 'path')));
}

module.exports = {
  open,
  openAsync,
  verify,
  verifyAsync,
  Database,
  Subscription,
  Collection,
  Batch,
  BatchCollection,
  KilnError,
  Status,
  version: native.version,
  versionNumber: native.versionNumber,
  abiVersion: native.abiVersion,
};
// `import kilndb from 'kilndb'` under TypeScript's CommonJS interop.
module.exports.default = module.exports;
