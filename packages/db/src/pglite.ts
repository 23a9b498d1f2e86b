import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { lockDataDir } from './lock.js';
import type { Database, OpenDatabaseOptions, Queryable, QueryResult } from './port.js';
import { TYPE_OIDS } from './port.js';

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
  };
}

export async function openPglite(opts: OpenDatabaseOptions): Promise<Database> {
  const dir = opts.dir ?? 'memory://';
  let release = () => {};
  if (!dir.startsWith('memory://')) {
    mkdirSync(dir, { recursive: true });
    release = lockDataDir(dir);
  }
  const extensions: Record<string, unknown> = {};
  if (opts.extensions?.includes('vector')) {
    const { vector } = await import('@electric-sql/pglite-pgvector');
    extensions.vector = vector;
  }
  const pg = new PGlite(dir, { extensions: extensions as never, parsers });
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
    transaction: (fn) => pg.transaction((tx) => fn(wrap(tx))),
    async hasExtension(name) {
      const r = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_extension WHERE extname = $1', [name]);
      return (r.rows[0]?.n ?? 0) > 0;
    },
    async close() {
      await pg.close();
      release();
    },
  };
}
