import { randomUUID } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { decodeCursor, fromMicros, micros, page } from './cursor.js';

/** A stored result may hold an equity curve and every trade; beyond this it is refused, not truncated. */
export const BACKTEST_LIMITS = { resultBytes: 4 * 1024 * 1024, perUser: 500 } as const;

export interface StoredBacktest {
  id: string;
  inputHash: string;
  strategy: { name: string; params: Record<string, unknown> };
  symbols: string[];
  summary: Record<string, unknown>;
  createdAt: string;
}

interface Row {
  id: string;
  input_hash: string;
  strategy: StoredBacktest['strategy'];
  symbols: string[];
  summary: Record<string, unknown>;
  created_at: Date;
  at_us: number;
}

const toBacktest = (r: Row): StoredBacktest => ({
  id: r.id,
  inputHash: r.input_hash,
  strategy: r.strategy,
  symbols: r.symbols,
  summary: r.summary,
  createdAt: r.created_at.toISOString(),
});

const COLUMNS = `id, input_hash, strategy, symbols, summary, created_at, ${micros('created_at')} AS at_us`;

/**
 * A user's stored backtest results. Results are deterministic in their inputs, so saving the same
 * input hash again returns the stored one (idempotent); another user's result reads as not found.
 */
export class Backtests {
  constructor(readonly db: Database) {}

  async save(
    userId: string,
    b: {
      inputHash: string;
      strategy: StoredBacktest['strategy'];
      symbols: string[];
      summary: object;
      result: object;
    },
  ): Promise<StoredBacktest & { created: boolean }> {
    const result = JSON.stringify(b.result);
    if (Buffer.byteLength(result) > BACKTEST_LIMITS.resultBytes) {
      throw new AppError(
        'bad_request',
        `A backtest result is limited to ${BACKTEST_LIMITS.resultBytes / 1024 / 1024} MiB`,
      );
    }
    return this.db.transaction(async (tx) => {
      const existing = await tx.query<Row>(
        `SELECT ${COLUMNS} FROM backtests WHERE user_id = $1 AND input_hash = $2`,
        [userId, b.inputHash],
      );
      if (existing.rows[0]) return { ...toBacktest(existing.rows[0]), created: false };
      const { rows: count } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM backtests WHERE user_id = $1',
        [userId],
      );
      if ((count[0]?.n ?? 0) >= BACKTEST_LIMITS.perUser) {
        throw new AppError(
          'conflict',
          `You have ${BACKTEST_LIMITS.perUser} stored backtests, the most allowed`,
        );
      }
      const { rows } = await tx.query<Row>(
        `INSERT INTO backtests (id, user_id, input_hash, strategy, symbols, summary, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
        [
          randomUUID(),
          userId,
          b.inputHash,
          JSON.stringify(b.strategy),
          b.symbols,
          JSON.stringify(b.summary),
          result,
        ],
      );
      return { ...toBacktest(rows[0]!), created: true };
    });
  }

  async list(userId: string, opts: { limit: number; cursor?: string }) {
    const after = decodeCursor(opts.cursor);
    const { rows } = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM backtests WHERE user_id = $1
         AND ($2::int8 IS NULL OR (created_at, id) < (${fromMicros('$2')}, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $4`,
      [userId, after?.atMicros ?? null, after?.id ?? null, opts.limit + 1],
    );
    return page(rows, opts.limit, (r) => ({ atMicros: r.at_us, id: r.id }), toBacktest);
  }

  async get(userId: string, id: string): Promise<StoredBacktest & { result: Record<string, unknown> }> {
    const { rows } = await this.db.query<Row & { result: Record<string, unknown> }>(
      `SELECT ${COLUMNS}, result FROM backtests WHERE user_id = $1 AND id = $2`,
      [userId, id],
    );
    if (!rows[0]) throw new AppError('not_found', 'No such backtest');
    return { ...toBacktest(rows[0]), result: rows[0].result };
  }
}
