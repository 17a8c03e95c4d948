// ESM entry point: the same API as the CommonJS one (lib/index.js).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const kilndb = require('./lib/index.js');

export const {
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
  version,
  versionNumber,
  abiVersion,
} = kilndb;
export default kilndb;
