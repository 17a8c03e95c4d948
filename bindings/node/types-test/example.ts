// Type-checked (tsc --noEmit) against index.d.ts: the README example plus
// every method, so a wrong declaration breaks the build.
import kilndb, { open, openAsync, verify, verifyAsync, KilnError, Status, Database, Collection, Batch, Subscription } from 'kilndb';
import type { Query, Where, KeyedDocument, Document, KilnStatusName, ChangeEvent, VerifyReport } from 'kilndb';

interface User {
  name: string;
  age: number;
  city?: string;
}

async function main(): Promise<void> {
  const db: Database = open('app-data', { mode: 'sync' });
  const mem = open({ mode: 'memory', maxDepth: 16 });
  const mem2 = await openAsync(null, { mode: 'memory' });
  const users: Collection<User> = db.collection<User>('users');

  const written: number = users.set({ u1: { name: 'Ada', age: 36 } });
  const v: number = users.put('u2', { name: 'Bob', age: 20 });
  const ada: Document<User> | null = users.get('u1');
  if (ada) {
    const name: string = ada.name;
    const version: number = ada._v;
    void name, version;
  }
  const where: Where = { age: { $gt: 30 }, $or: [{ city: 'London' }, { city: { $in: ['Paris', 'Rome'] } }] };
  const q: Query = { where, fields: ['name'], sort: [{ field: 'age', order: 'desc' }, 'name'], count: 10, offset: 0 };
  const found: KeyedDocument<User>[] = users.find(q);
  const key: string = found.length ? found[0]._key : '';
  const again: KeyedDocument<User>[] = await users.findAsync({ where: { age: { $gt: 30 } } });
  const one: KeyedDocument<User> | null = users.findOne({ where: { name: 'Ada' } });
  const n: number = users.count({ age: { $lt: 50 } }) + (await users.countAsync());
  const ids: string[] = users.insert([{ name: 'Cy', age: 61 }]);
  const id: string = await users.insertAsync({ name: 'Di', age: 19 });
  const many: KeyedDocument<User>[] = users.getMany(['u1', 'u2'], { sort: ['age'] });
  const updated: number = users.update('u1', { age: 37, _v: 1 }) + users.update({ u2: { age: 21 } });
  const deleted: number = users.delete(['u1']) + users.deleteWhere({ age: { $gt: 90 } });
  const dropped: boolean = await db.collection('tmp').dropAsync();
  users.createIndex('age');
  await users.createIndexAsync('name', { unique: true });
  const idx: any[] = users.indexes();
  users.dropIndex('age');
  users.setSchema({ type: 'object', required: ['name'] });
  users.aggregate({ groupBy: 'city', metrics: { avg: { $avg: 'age' }, n: { $count: 'name' } } });

  db.execute({ op: 'get', collection: 'users', keys: ['u1'] });
  await db.executeAsync({ op: 'stats' });
  db.batch((tx: Batch) => {
    tx.collection<User>('users').set({ u3: { name: 'Ed', age: 75 } }).delete('u2');
    tx.execute({ op: 'delete', collection: 'logs', drop: true });
  });
  await db.batchAsync([{ op: 'set', collection: 'users', data: { u4: { name: 'Fay', age: 44 } } }]);
  db.changes(0);
  db.snapshot();
  db.stats();
  const open1: boolean = db.isOpen;

  try {
    users.update('u1', { age: 1, _v: 0 });
  } catch (e) {
    if (e instanceof KilnError) {
      const code: KilnStatusName = e.code;
      if (e.code === 'KILN_CONFLICT' && e.status === Status.KILN_CONFLICT) console.log('retry', code);
    }
  }
  console.log(written, v, key, again, one, n, ids, id, many, updated, deleted, dropped, idx, open1, kilndb.version);
  const sub: Subscription = db.subscribe((ev: ChangeEvent) => {
    const v2: number | null = ev.newV;
    console.log(ev.collection, ev.key, v2, ev.lsn);
  }, { collection: 'users', onError: (err, ev) => console.error(err, ev.lsn) });
  const quiet: Subscription = db.subscribe(() => {}).unref();
  const active: boolean = sub.active && quiet.collection === null;
  sub.cancel();
  db.flush();
  await db.flushAsync();
  const lsn: number = db.changes(0).last_lsn;
  console.log(active, lsn);
  mem.close();
  await mem2.closeAsync();
  db.close();
  const report: VerifyReport = verify('app-data');
  const ok: boolean = report.ok && (await verifyAsync('app-data')).problems.length === 0;
  console.log(ok);
}

void main();
