import { join } from 'node:path';
import { openPglite } from './pglite.js';
import type { Database, OpenDatabaseOptions } from './port.js';
import { openPostgres } from './postgres.js';

export { DataDirLockedError } from './lock.js';
export * from './migrate.js';
export type * from './port.js';

/** Open the store a server owns: real Postgres when `url` is set, embedded PGlite otherwise. */
export function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  return opts.url ? openPostgres({ ...opts, url: opts.url }) : openPglite(opts);
}

/** PGlite folder for a server under the data dir: `<dataDir>/<name>/pgdata`. */
export function embeddedDir(dataDir: string, name: string): string {
  return join(dataDir, name, 'pgdata');
}
