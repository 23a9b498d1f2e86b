import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import { statementError } from './errors.js';
import { READER_ROLE } from './reader-migration.js';
import { precheckReadOnlySql } from './sql-precheck.js';

export interface ReaderLimits {
  /** Rows returned at most; more are cut off with `truncated: 'rows'`. */
  maxRows: number;
  /** JSON bytes returned at most; more are cut off with `truncated: 'bytes'`. */
  maxBytes: number;
  /** statement_timeout for every statement of the query (Postgres only: PGlite cannot interrupt). */
  timeoutMs: number;
  /** Planner cost above which a statement is refused before it runs. */
  maxCost: number;
  /** Longest statement accepted, in characters. */
  maxLength: number;
}

export const DEFAULT_READER_LIMITS: ReaderLimits = {
  maxRows: 200,
  maxBytes: 64 * 1024,
  timeoutMs: 2_000,
  maxCost: 100_000,
  maxLength: 10_000,
};

export interface QueryResult {
  columns: string[];
  /** One array per row, in column order; numbers as exact decimal strings. */
  rows: unknown[][];
  rowCount: number;
  /** Why the rows stop short of the full answer, or null when they are all there. */
  truncated: 'rows' | 'bytes' | null;
  estimatedCost: number;
}

export interface ExplainResult {
  /** Postgres' plan tree (EXPLAIN FORMAT JSON), or null when it exceeds the byte cap. */
  plan: Record<string, unknown> | null;
  totalCost: number;
  planRows: number;
  /** Only with analyze: milliseconds Postgres spent running it. */
  executionTimeMs: number | null;
  truncated: boolean;
}

export interface SchemaColumn {
  name: string;
  type: string;
  nullable: boolean;
  comment: string | null;
}

export interface SchemaTable {
  name: string;
  comment: string | null;
  /** Whether row-level security limits the rows to the caller's own. */
  rowLevelSecurity: boolean;
  columns: SchemaColumn[];
}

/** Thrown inside the query transaction to roll it back while handing a result out. */
class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Read-only SQL for one user. Each call is one transaction that the server writes the caller into
 * (`query_caller`), then turns read-only, bounds with a statement timeout, and always rolls back.
 * The statement itself runs inside `reader_query` / `reader_explain`: SECURITY DEFINER functions
 * owned by the reader role, so it runs as that role under row-level security and cannot change role.
 */
export class ReaderQueries {
  readonly limits: ReaderLimits;

  constructor(
    readonly db: Database,
    limits: Partial<ReaderLimits> = {},
  ) {
    this.limits = { ...DEFAULT_READER_LIMITS, ...limits };
  }

  /** Run one read-only statement for `userId`; rows beyond the row or byte cap are cut off. */
  async query(userId: string, sql: string): Promise<QueryResult> {
    const statement = this.precheck(sql);
    const { maxRows, maxBytes } = this.limits;
    return this.asReader(userId, async (tx) => {
      const estimatedCost = await this.checkCost(tx, statement, maxRows + 1);
      const { rows } = await tx.query<{ cells: unknown[] | null; columns: string[] }>(
        'SELECT cells, columns FROM reader_query($1, $2, $3)',
        [statement, maxRows + 1, maxBytes],
      );
      const out: unknown[][] = [];
      let truncated: QueryResult['truncated'] = null;
      let used = 2;
      for (const row of rows) {
        if (out.length === maxRows) {
          truncated = 'rows';
          break;
        }
        // Null cells: Postgres found that row alone larger than the cap and did not send it.
        used += row.cells === null ? maxBytes : Buffer.byteLength(JSON.stringify(row.cells)) + 1;
        if (used > maxBytes) {
          truncated = 'bytes';
          break;
        }
        out.push(row.cells!);
      }
      return {
        columns: rows[0]?.columns ?? [],
        rows: out,
        rowCount: out.length,
        truncated,
        estimatedCost,
      };
    });
  }

  /** EXPLAIN (FORMAT JSON) of one read-only statement; with `analyze`, it also runs (same guards). */
  async explain(userId: string, sql: string, opts: { analyze: boolean }): Promise<ExplainResult> {
    const statement = this.precheck(sql);
    return this.asReader(userId, async (tx) => {
      if (opts.analyze) await this.checkCost(tx, statement, null);
      const [doc] = await this.plan(tx, statement, null, opts.analyze);
      const plan = doc?.Plan ?? {};
      const tooBig = JSON.stringify(doc ?? {}).length > this.limits.maxBytes;
      return {
        plan: tooBig ? null : (doc as Record<string, unknown>),
        totalCost: Number(plan['Total Cost'] ?? 0),
        planRows: Number(plan['Plan Rows'] ?? 0),
        executionTimeMs: opts.analyze ? Number(doc?.['Execution Time'] ?? 0) : null,
        truncated: tooBig,
      };
    });
  }

  /** The tables and columns the reader role may SELECT, with their comments. */
  async describeSchema(): Promise<SchemaTable[]> {
    const { rows } = await this.db.query<{
      table_name: string;
      table_comment: string | null;
      rls: boolean;
      column_name: string;
      column_type: string;
      not_null: boolean;
      column_comment: string | null;
    }>(
      `SELECT c.relname AS table_name, obj_description(c.oid, 'pg_class') AS table_comment,
              c.relrowsecurity AS rls, a.attname AS column_name,
              format_type(a.atttypid, a.atttypmod) AS column_type, a.attnotnull AS not_null,
              col_description(c.oid, a.attnum) AS column_comment
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm')
         AND has_table_privilege($2, c.oid, 'SELECT')
       ORDER BY c.relname, a.attnum`,
      [this.db.schema, READER_ROLE],
    );
    const tables = new Map<string, SchemaTable>();
    for (const r of rows) {
      let t = tables.get(r.table_name);
      if (!t) {
        t = { name: r.table_name, comment: r.table_comment, rowLevelSecurity: r.rls, columns: [] };
        tables.set(r.table_name, t);
      }
      t.columns.push({
        name: r.column_name,
        type: r.column_type,
        nullable: !r.not_null,
        comment: r.column_comment,
      });
    }
    return [...tables.values()];
  }

  private precheck(sql: string): string {
    return precheckReadOnlySql(sql, {
      maxLength: this.limits.maxLength,
      allowRecursive: this.db.kind === 'postgres',
    });
  }

  /**
   * One transaction for `userId`: write the caller, turn read-only, set the timeout, run `fn` in a
   * savepoint, drop any session-level advisory lock the statement took, and always roll back.
   */
  private async asReader<T>(userId: string, fn: (tx: Queryable) => Promise<T>): Promise<T> {
    try {
      await this.db.transaction(async (tx) => {
        await tx.query('INSERT INTO query_caller (user_id) VALUES ($1)', [userId]);
        await tx.query('SET TRANSACTION READ ONLY');
        await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [`${this.limits.timeoutMs}ms`]);
        await tx.query('SAVEPOINT reader');
        let result: T;
        try {
          result = await fn(tx);
        } catch (e) {
          await tx.query('ROLLBACK TO SAVEPOINT reader');
          await tx.query('SELECT pg_advisory_unlock_all()');
          throw e;
        }
        await tx.query('SELECT pg_advisory_unlock_all()');
        throw new Rollback(result);
      });
    } catch (e) {
      if (e instanceof Rollback) return e.value as T;
      throw statementError(e, this.limits.timeoutMs);
    }
    throw new AppError('internal', 'The query transaction committed');
  }

  private async plan(
    tx: Queryable,
    statement: string,
    rowLimit: number | null,
    analyze: boolean,
  ): Promise<Array<Record<string, unknown> & { Plan?: Record<string, unknown> }>> {
    const { rows } = await tx.query<{ plan: unknown }>('SELECT reader_explain($1, $2, $3) AS plan', [
      statement,
      rowLimit,
      analyze,
    ]);
    return rows[0]?.plan as Array<Record<string, unknown> & { Plan?: Record<string, unknown> }>;
  }

  /** Refuse, before it runs, a statement the planner expects to be expensive. */
  private async checkCost(tx: Queryable, statement: string, rowLimit: number | null): Promise<number> {
    const [doc] = await this.plan(tx, statement, rowLimit, false);
    const cost = Number(doc?.Plan?.['Total Cost'] ?? 0);
    if (cost > this.limits.maxCost)
      throw new AppError(
        'bad_request',
        `The planner estimates this statement at cost ${Math.round(cost)}, above the limit of ` +
          `${this.limits.maxCost}: filter or aggregate more narrowly (explain_query shows the plan)`,
        { estimatedCost: cost, maxCost: this.limits.maxCost },
      );
    return cost;
  }
}
