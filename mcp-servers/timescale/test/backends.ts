import { type Database, openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL, type TestBackend, testBackends } from '@stockpulse/db/testing';
import { enableTimescaleDb } from '../src/store/extension.js';

/**
 * Where the market suites run: PGlite; real Postgres without TimescaleDB; and real Postgres with
 * it when the server offers the extension, so both SQL paths (`date_bin`, `time_bucket` on
 * hypertables) are exercised wherever they can be. The real-Postgres backends each get a database of
 * their own (created and dropped here): extensions are per database, and whether the shared `test`
 * database has TimescaleDB is not this suite's to decide.
 */
export async function marketBackends(name: string): Promise<Array<[string, TestBackend]>> {
  const [pglite] = testBackends(name);
  const backends: Array<[string, TestBackend]> = [pglite!, ['postgres', databaseBackend(name, false)]];
  if (await timescaleDbOffered()) backends.push(['timescaledb', databaseBackend(name, true)]);
  return backends;
}

async function admin<T>(fn: (db: Database) => Promise<T>): Promise<T> {
  const db = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function timescaleDbOffered(): Promise<boolean> {
  try {
    return await admin(async (db) => {
      const { rows } = await db.query(
        `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'
         AND current_setting('shared_preload_libraries') LIKE '%timescaledb%'`,
      );
      return rows.length > 0;
    });
  } catch {
    return false;
  }
}

function databaseBackend(name: string, timescaledb: boolean): TestBackend {
  const database = `sp_${name}_${timescaledb ? 'tsdb' : 'pg'}_${process.pid}_${Date.now().toString(36)}`;
  return {
    kind: 'postgres',
    open: async () => {
      await admin((db) => db.exec(`CREATE DATABASE ${database}`));
      const db = await openDatabase({
        url: TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`),
        schema: name,
      });
      if (timescaledb) {
        const ext = await enableTimescaleDb(db);
        if (!ext.enabled) throw new Error(`TimescaleDB could not be enabled: ${ext.reason}`);
      }
      return db;
    },
    cleanup: () => admin((db) => db.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)),
  };
}
