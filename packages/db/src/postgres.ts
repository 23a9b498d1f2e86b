import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { type CopyRows, copyStatement, csvChunks } from './copy.js';
import type { Database, OpenDatabaseOptions, Queryable, QueryResult } from './port.js';
import { TYPE_OIDS } from './port.js';

const typeParsers: Record<number, (v: string) => unknown> = {
  [TYPE_OIDS.INT8]: (v) => Number(v),
  [TYPE_OIDS.NUMERIC]: (v) => v,
  [TYPE_OIDS.DATE]: (v) => v,
};
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    typeParsers[oid] ??
    (pg.types.getTypeParser as (o: number, f?: string) => (v: string) => unknown)(oid, format),
};

/** COPY FROM STDIN on one connection, the CSV streamed with backpressure. */
async function copyOn(client: pg.PoolClient, table: string, columns: readonly string[], rows: CopyRows) {
  const sql = copyStatement(table, columns, 'STDIN');
  const sink = client.query(copyFromStdin(sql));
  // On a failure `pipeline` destroys the sink, which sends CopyFail: the server rolls the COPY back.
  await pipeline(Readable.from(csvChunks(rows, columns.length), { objectMode: false }), sink);
  return sink.rowCount;
}

function wrap(q: pg.Pool | pg.PoolClient): Queryable {
  return {
    async copyFrom(table, columns, rows) {
      if (!(q instanceof pg.Pool)) return copyOn(q, table, columns, rows);
      const client = await q.connect();
      let failed: Error | undefined;
      try {
        return await copyOn(client, table, columns, rows);
      } catch (e) {
        failed = e as Error;
        throw e;
      } finally {
        // A connection whose COPY failed half-way is not trusted back into the pool.
        client.release(failed);
      }
    },
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const r = await q.query(sql, params as unknown[] | undefined);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? r.rows.length };
    },
    async exec(sql: string) {
      await q.query(sql);
    },
  };
}

export async function openPostgres(opts: OpenDatabaseOptions & { url: string }): Promise<Database> {
  // Create the schema before the pool puts it on every connection's search_path.
  const bootstrap = new pg.Client({ connectionString: opts.url });
  await bootstrap.connect();
  try {
    for (const ext of opts.extensions ?? []) await bootstrap.query(`CREATE EXTENSION IF NOT EXISTS ${ext}`);
    await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${opts.schema}"`);
  } finally {
    await bootstrap.end();
  }
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.maxConnections ?? 10,
    options: `-c search_path="${opts.schema}",public`,
    types,
  });
  pool.on('error', () => {
    /* an idle client died (server restart); the pool replaces it on next use */
  });
  const base = wrap(pool);
  return {
    kind: 'postgres',
    schema: opts.schema,
    query: base.query,
    exec: base.exec,
    copyFrom: base.copyFrom,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async hasExtension(name) {
      const r = await pool.query('SELECT count(*)::int AS n FROM pg_extension WHERE extname = $1', [name]);
      return (r.rows[0]?.n ?? 0) > 0;
    },
    close: () => pool.end(),
  };
}
