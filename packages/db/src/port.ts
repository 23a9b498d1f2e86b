/**
 * The one database port every Postgres-owning MCP server writes its SQL against. Two adapters:
 * PGlite (embedded, in-process) and `pg` (a real server). SQL is written once, in Postgres dialect,
 * with `$n` parameters. Column values come back normalized the same way on both:
 * numeric → string (exact money), int8 → number, date → 'YYYY-MM-DD', timestamptz → Date, json → object.
 */
import type { CopyRows } from './copy.js';

export type { CopyRows, CopyValue } from './copy.js';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Run a script of several statements without parameters (migrations, seeds). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-load rows with `COPY table (columns) FROM … (FORMAT csv)`: the fastest way in, several times
   * an INSERT. One statement, so all rows or none; it fires no `ON CONFLICT` (load into a temp table
   * and `INSERT … SELECT … ON CONFLICT` for upserts). `table` and `columns` are plain names, taken
   * verbatim (quoted). Values: see `CopyValue` (null/undefined is NULL, '' an empty string). An async
   * iterable is streamed on a real server; PGlite buffers the CSV in memory. Returns the rows copied.
   */
  copyFrom(table: string, columns: readonly string[], rows: CopyRows): Promise<number>;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** The schema this database handle works in (first on its search_path). */
  readonly schema: string;
  /** Run `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Whether an extension (e.g. 'vector', 'timescaledb') is installed and usable. */
  hasExtension(name: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A postgres:// URL: use a real server. Absent: embedded PGlite in `dir`. */
  url?: string;
  /** PGlite data directory (created if missing). `memory://` for an in-memory database. */
  dir?: string;
  /** Schema owned by the caller; created if missing and put first on the search_path. */
  schema: string;
  /** Extensions to load and create (PGlite loads its WASM build; on Postgres they must be installed). */
  extensions?: ReadonlyArray<'vector'>;
  /** Pool size on a real server. */
  maxConnections?: number;
}

export const TYPE_OIDS = { INT8: 20, NUMERIC: 1700, DATE: 1082 } as const;
