// Type definitions for kilndb (Node.js binding).

/** A JSON value as stored by kilndb. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object (a document, a patch, ...). Values that JSON cannot hold are dropped as by JSON.stringify. */
export type JsonObject = { [key: string]: any };

/** A stored document as returned by reads: its fields plus the engine's metadata. */
export type Document<T extends JsonObject = JsonObject> = T & {
  /** Version, starts at 1, +1 on every write. */
  _v: number;
  createdAt?: string;
  modifiedAt?: string;
};
/** A document in a multi-document result: also carries its key. */
export type KeyedDocument<T extends JsonObject = JsonObject> = Document<T> & { _key: string };

/** The names of kiln.h's status codes; KilnError#code is one of them. */
export type KilnStatusName =
  | 'KILN_OK'
  | 'KILN_NOT_FOUND'
  | 'KILN_INVALID_ARGUMENT'
  | 'KILN_CONFLICT'
  | 'KILN_LOCKED'
  | 'KILN_CLOSED'
  | 'KILN_READ_ONLY'
  | 'KILN_IO_ERROR'
  | 'KILN_CORRUPTION'
  | 'KILN_NO_SPACE'
  | 'KILN_INTERNAL'
  | 'KILN_NO_MEMORY'
  | 'KILN_UNKNOWN';

/** Every engine failure. Switch on `code`. */
export class KilnError extends Error {
  constructor(message: string, code: KilnStatusName, status?: number);
  readonly name: 'KilnError';
  /** The C status name, e.g. 'KILN_CONFLICT'. */
  code: KilnStatusName;
  /** The numeric kiln_status. */
  status: number;
}

export const Status: Readonly<Record<Exclude<KilnStatusName, 'KILN_UNKNOWN'>, number>>;

export interface OpenOptions {
  /** Default: 'sync' with a path, 'memory' without. */
  mode?: 'memory' | 'sync' | 'async';
  /** JSON nesting limit (root = 0), default 32. */
  maxDepth?: number;
  /** Request size limit in bytes, default 10 MiB. */
  maxRequestBytes?: number;
  /** Keys per request, default 1000. */
  maxKeys?: number;
  /** Further engine options; camelCase names are sent as snake_case. */
  [option: string]: unknown;
}

/** Operators of a `where` condition (QUERY.md). */
export interface Operators {
  $eq?: JsonValue; $equals?: JsonValue;
  $ne?: JsonValue; $notEquals?: JsonValue;
  $gt?: number; $greaterThan?: number;
  $gte?: number; $greaterThanOrEqual?: number;
  $lt?: number; $lessThan?: number;
  $lte?: number; $lessThanOrEqual?: number;
  $contains?: JsonValue; $ct?: JsonValue;
  $in?: JsonValue[]; $oneOf?: JsonValue[];
  $nin?: JsonValue[]; $notIn?: JsonValue[];
  $exists?: boolean;
  $regex?: string;
  $options?: string;
  $not?: Operators;
}

export type Condition = JsonValue | Operators;

export interface Where {
  $or?: Where[];
  $and?: Where[];
  [path: string]: Condition | Where[] | undefined;
}

export type SortSpec = string | { field: string; order?: 'asc' | 'desc' };

export interface Join {
  from: string;
  on: string;
  fields?: string[];
}

export interface Query {
  keys?: string | string[];
  where?: Where;
  fields?: string[];
  excludedFields?: string[];
  joins?: Array<Record<string, Join>>;
  sort?: SortSpec[];
  /** Limit. */
  count?: number;
  offset?: number;
}

export type Metric = { $count: string } | { $sum: string } | { $avg: string } | { $min: string } | { $max: string };

export interface AggregateSpec {
  where?: Where;
  groupBy?: string;
  metrics: Record<string, Metric>;
}

export interface IndexOptions {
  unique?: boolean;
}

/** A request of the request language: `op` plus its body (QUERY.md). */
export interface Request {
  op: string;
  collection?: string;
  [member: string]: unknown;
}

export class Collection<T extends JsonObject = JsonObject> {
  private constructor();
  readonly name: string;
  readonly database: Database;

  /** Insert or replace: `{ key: doc, ... }` -> number of documents written. */
  set(data: Record<string, T>): number;
  setAsync(data: Record<string, T>): Promise<number>;
  /** One document through the engine's hot path -> its new `_v` (0 for a non-object). */
  put(key: string, doc: T): number;
  putAsync(key: string, doc: T): Promise<number>;
  /** Insert with generated (UUIDv7) keys. */
  insert(docs: T[]): string[];
  insert(doc: T): string;
  insertAsync(docs: T[]): Promise<string[]>;
  insertAsync(doc: T): Promise<string>;
  /** The document at `key`, or null. */
  get(key: string): Document<T> | null;
  getAsync(key: string): Promise<Document<T> | null>;
  /** The documents found at `keys` (missing keys are left out). */
  getMany(keys: string[], query?: Omit<Query, 'keys'>): KeyedDocument<T>[];
  getManyAsync(keys: string[], query?: Omit<Query, 'keys'>): Promise<KeyedDocument<T>[]>;
  /** Partial merge -> number of documents updated. A `_v` in a patch is a version guard. */
  update(data: Record<string, Partial<T> & JsonObject>): number;
  update(key: string, patch: Partial<T> & JsonObject): number;
  updateAsync(data: Record<string, Partial<T> & JsonObject>): Promise<number>;
  updateAsync(key: string, patch: Partial<T> & JsonObject): Promise<number>;
  /** Delete by key(s) -> number deleted. */
  delete(keys: string | string[]): number;
  deleteAsync(keys: string | string[]): Promise<number>;
  /** Delete the documents matching `where` -> number deleted. */
  deleteWhere(where: Where): number;
  deleteWhereAsync(where: Where): Promise<number>;
  /** Delete the whole collection. */
  drop(): boolean;
  dropAsync(): Promise<boolean>;
  /** Query -> matching documents ([] when none). */
  find(query?: Query): KeyedDocument<T>[];
  findAsync(query?: Query): Promise<KeyedDocument<T>[]>;
  /** The first match, or null. */
  findOne(query?: Query): KeyedDocument<T> | null;
  findOneAsync(query?: Query): Promise<KeyedDocument<T> | null>;
  /** Number of documents matching `where` (all when omitted). */
  count(where?: Where): number;
  countAsync(where?: Where): Promise<number>;
  aggregate(spec: AggregateSpec): any;
  aggregateAsync(spec: AggregateSpec): Promise<any>;
  createIndex(field: string, options?: IndexOptions): any;
  createIndexAsync(field: string, options?: IndexOptions): Promise<any>;
  dropIndex(field: string): any;
  dropIndexAsync(field: string): Promise<any>;
  indexes(): any[];
  indexesAsync(): Promise<any[]>;
  /** A JSON Schema that every later write must satisfy. */
  setSchema(schema: JsonObject): any;
  setSchemaAsync(schema: JsonObject): Promise<any>;
}

/** Collects the writes of one atomic batch. */
export class BatchCollection<T extends JsonObject = JsonObject> {
  private constructor();
  readonly name: string;
  set(data: Record<string, T>): this;
  put(key: string, doc: T): this;
  insert(docs: T | T[]): this;
  update(data: Record<string, Partial<T> & JsonObject>): this;
  update(key: string, patch: Partial<T> & JsonObject): this;
  delete(keys: string | string[]): this;
  deleteWhere(where: Where): this;
  drop(): this;
}

export class Batch {
  private constructor();
  readonly ops: Request[];
  collection<T extends JsonObject = JsonObject>(name: string): BatchCollection<T>;
  /** Any write request, added as is. */
  execute(request: Request): this;
}

/** One committed change, as delivered to a subscription's listener. */
export interface ChangeEvent {
  collection: string;
  /** The document's key, or '*' when the collection was dropped. */
  key: string;
  /** The document's new _v (0 for a non-object document); null for a delete or a drop. */
  newV: number | null;
  /** The write's log sequence number: increasing, and the one db.changes() reports. */
  lsn: number;
}

export interface SubscribeOptions {
  /** Only this collection's changes (default: every collection). */
  collection?: string | null;
  /**
   * Called with what the listener threw (delivery goes on). Without it, the
   * error becomes a process warning named 'KilnSubscriptionWarning' (code
   * 'KILN_LISTENER_ERROR', the error as `cause`).
   */
  onError?: (error: unknown, event: ChangeEvent) => void;
  /** false: start unref()ed (the subscription does not keep the process alive). Default true. */
  ref?: boolean;
}

export class Subscription {
  private constructor();
  /** The collection listened to, or null for all. */
  readonly collection: string | null;
  /** true until cancel() or the database's close(). */
  readonly active: boolean;
  /** Ends the subscription: the listener is not called after cancel() returns. Idempotent. */
  cancel(): void;
  /** Lets the process exit while the subscription is active. */
  unref(): this;
  /** Keeps the process alive while the subscription is active (the default). */
  ref(): this;
}

/** Result of verify(path). */
export interface VerifyReport {
  ok: boolean;
  files: { file: string; kind: string; ok: boolean; detail: string }[];
  problems: string[];
  warnings: string[];
}

/** Result of db.changes(since). */
export interface ChangesResult {
  changes: { collection: string; key: string; lsn: number; new_v: number | null }[];
  last_lsn: number;
  [key: string]: unknown;
}

export class Database {
  private constructor();
  /** true until close(). */
  readonly isOpen: boolean;
  /** Any request of the request language -> the engine's response (null when nothing was found). */
  execute(request: Request): any;
  executeAsync(request: Request): Promise<any>;
  collection<T extends JsonObject = JsonObject>(name: string): Collection<T>;
  /** Atomic: every write collected by `fn` (or the given requests) is applied, or none. */
  batch(fn: ((tx: Batch) => void) | Request[]): any;
  batchAsync(fn: ((tx: Batch) => void) | Request[]): Promise<any>;
  /** Committed writes after the LSN `since` (default 0: all retained). */
  changes(since?: number, options?: Record<string, unknown>): ChangesResult;
  changesAsync(since?: number, options?: Record<string, unknown>): Promise<ChangesResult>;
  /** Makes every write acknowledged so far durable (matters in 'async' mode). */
  flush(): void;
  flushAsync(): Promise<void>;
  /**
   * Calls `listener` for every change committed from now on, in LSN order, on
   * the JS thread. Keeps the process alive until cancel() or close() (see unref()).
   */
  subscribe(listener: (event: ChangeEvent) => void, options?: SubscribeOptions): Subscription;
  /** Writes a snapshot now (not in memory mode). */
  snapshot(): any;
  snapshotAsync(): Promise<any>;
  stats(): any;
  statsAsync(): Promise<any>;
  /**
   * Waits for calls still running, then closes. Later calls throw KILN_CLOSED. Idempotent.
   * Ends every subscription (changes committed before close() are still delivered).
   */
  close(): void;
  closeAsync(): Promise<void>;
}

/** Opens (creating if missing) the database at `path`; without a path, an in-memory database. */
export function open(path?: string | null, options?: OpenOptions): Database;
export function open(options: OpenOptions): Database;
export function openAsync(path?: string | null, options?: OpenOptions): Promise<Database>;
export function openAsync(options: OpenOptions): Promise<Database>;

/** Checks every checksum of the database directory at `path` without opening it for writing. */
export function verify(path: string): VerifyReport;
export function verifyAsync(path: string): Promise<VerifyReport>;

/** The engine's version, e.g. "0.1.0". */
export const version: string;
export const versionNumber: number;
export const abiVersion: number;

declare const kilndb: {
  open: typeof open;
  openAsync: typeof openAsync;
  verify: typeof verify;
  verifyAsync: typeof verifyAsync;
  Database: typeof Database;
  Subscription: typeof Subscription;
  Collection: typeof Collection;
  Batch: typeof Batch;
  BatchCollection: typeof BatchCollection;
  KilnError: typeof KilnError;
  Status: typeof Status;
  version: string;
  versionNumber: number;
  abiVersion: number;
};
export default kilndb;
