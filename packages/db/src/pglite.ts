import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { copyStatement, csvChunks } from './copy.js';
import { lockDataDir } from './lock.js';
import type { Database, OpenDatabaseOptions, Queryable, QueryResult } from './port.js';
import { TYPE_OIDS } from './port.js';

/**
 * Postgres settings sized for an embedded, single-user store: the defaults (128 MB shared buffers)
 * would make each of the five embedded stores hold far more memory than its data needs.
 */
const EMBEDDED_SETTINGS = [
  'shared_buffers=16MB',
  'work_mem=4MB',
  'maintenance_work_mem=32MB',
  'temp_buffers=4MB',
];

const parsers = {
  [TYPE_OIDS.INT8]: (v: string) => Number(v),
  [TYPE_OIDS.NUMERIC]: (v: string) => v,
  [TYPE_OIDS.DATE]: (v: string) => v,
};

function wrap(q: PGlite | Transaction): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query<T>(sql, params as unknown[] | undefined, { parsers });
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async copyFrom(table, columns, rows) {
      // PGlite has no COPY FROM STDIN; it reads the CSV from a Blob, exposed as the '/dev/blob' device.
      const sql = copyStatement(table, columns, "'/dev/blob'");
      const parts: string[] = [];
      for await (const chunk of csvChunks(rows, columns.length)) parts.push(chunk);
      if (parts.length === 0) return 0;
      const r = await q.query(sql, [], { blob: new Blob(parts) });
      return r.affectedRows ?? 0;
    },
  };
}

export async function openPglite(opts: OpenDatabaseOptions): Promise<Database> {
  const dir = opts.dir ?? 'memory://';
  let release = () => {};
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true });
    release = lockDataDir(dir);
    if (!existsSync(join(dir, 'PG_VERSION'))) initdbInChild(dir, opts.extensions ?? []);
  }
  const extensions: Record<string, unknown> = {};
  if (opts.extensions?.includes('vector')) {
    const { vector } = await import('@electric-sql/pglite-pgvector');
    extensions.vector = vector;
  }
  const pg = new PGlite(dir, {
    extensions: extensions as never,
    parsers,
    postgresqlconf: EMBEDDED_SETTINGS,
  } as never);
  await pg.waitReady.catch((e) => {
    release();
    throw e;
  });
  for (const ext of opts.extensions ?? []) await pg.exec(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
  await pg.exec(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"; SET search_path TO "${opts.schema}", public`);
  const base = wrap(pg);
  return {
    kind: 'pglite',
    schema: opts.schema,
    query: base.query,
    exec: base.exec,
    copyFrom: base.copyFrom,
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async hasExtension(name) {
      const r = await pg.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_extension WHERE extname = $1',
        [name],
      );
      return (r.rows[0]?.n ?? 0) > 0;
    },
    async close() {
      await pg.close();
      release();
    },
  };
}

function initdbInChild(dir: string, extensions: readonly string[]): void {
  // Resolved through the package (not import.meta.url) so it holds when this code is bundled.
  const script = join(
    dirname(createRequire(import.meta.url).resolve('@stockpulse/db/package.json')),
    'src',
    'pglite-initdb.ts',
  );
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, dir, ...extensions], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 120_000,
  });
  if (r.status !== 0) {
    throw new Error(
      `Could not create the embedded database in ${dir}: ${r.stderr?.toString().trim() || `exit ${r.status}`}`,
    );
  }
}
