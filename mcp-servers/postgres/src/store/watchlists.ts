import { randomUUID } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';

export const WATCHLIST_LIMITS = { perUser: 50, symbolsPerList: 500 } as const;

export interface Watchlist {
  id: string;
  name: string;
  symbols: string[];
  createdAt: string;
  updatedAt: string;
}

interface WatchlistRow {
  id: string;
  name: string;
  symbols: string[] | null;
  created_at: Date;
  updated_at: Date;
}

const toWatchlist = (r: WatchlistRow): Watchlist => ({
  id: r.id,
  name: r.name,
  symbols: r.symbols ?? [],
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const SELECT_WATCHLISTS = `
  SELECT w.id, w.name, w.created_at, w.updated_at,
         (SELECT json_agg(i.symbol ORDER BY i.symbol) FROM watchlist_items i WHERE i.watchlist_id = w.id) AS symbols
  FROM watchlists w WHERE w.user_id = $1`;

/** A user's watchlists. Every write is one transaction; another user's list reads as not found. */
export class Watchlists {
  constructor(readonly db: Database) {}

  async list(userId: string): Promise<Watchlist[]> {
    const { rows } = await this.db.query<WatchlistRow>(`${SELECT_WATCHLISTS} ORDER BY w.name, w.id`, [
      userId,
    ]);
    return rows.map(toWatchlist);
  }

  async get(userId: string, id: string, q: Queryable = this.db): Promise<Watchlist> {
    const { rows } = await q.query<WatchlistRow>(`${SELECT_WATCHLISTS} AND w.id = $2`, [userId, id]);
    if (!rows[0]) throw new AppError('not_found', 'No such watchlist');
    return toWatchlist(rows[0]);
  }

  async create(userId: string, name: string, symbols: readonly string[] = []): Promise<Watchlist> {
    const unique = [...new Set(symbols)];
    if (unique.length > WATCHLIST_LIMITS.symbolsPerList)
      throw new AppError(
        'bad_request',
        `A watchlist holds at most ${WATCHLIST_LIMITS.symbolsPerList} symbols`,
      );
    return this.db.transaction(async (tx) => {
      // Serialize this user's creations so the count below cannot be raced past the limit.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`watchlists:${userId}`]);
      const { rows } = await tx.query<{ n: number; taken: boolean }>(
        'SELECT count(*)::int AS n, bool_or(name = $2) AS taken FROM watchlists WHERE user_id = $1',
        [userId, name],
      );
      if (rows[0]?.taken) throw new AppError('conflict', `You already have a watchlist named '${name}'`);
      if ((rows[0]?.n ?? 0) >= WATCHLIST_LIMITS.perUser)
        throw new AppError('conflict', `You have ${WATCHLIST_LIMITS.perUser} watchlists, the most allowed`);
      const id = randomUUID();
      await tx.query('INSERT INTO watchlists (id, user_id, name) VALUES ($1, $2, $3)', [id, userId, name]);
      await insertSymbols(tx, id, unique);
      return this.get(userId, id, tx);
    });
  }

  /** Add symbols (already present ones are ignored); returns the list and what was new. */
  async add(userId: string, id: string, symbols: readonly string[]) {
    return this.db.transaction(async (tx) => {
      await this.lockOwned(tx, userId, id);
      const added = await insertSymbols(tx, id, [...new Set(symbols)]);
      const { rows } = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM watchlist_items WHERE watchlist_id = $1',
        [id],
      );
      if ((rows[0]?.n ?? 0) > WATCHLIST_LIMITS.symbolsPerList)
        throw new AppError(
          'bad_request',
          `A watchlist holds at most ${WATCHLIST_LIMITS.symbolsPerList} symbols`,
        );
      if (added.length) await tx.query('UPDATE watchlists SET updated_at = now() WHERE id = $1', [id]);
      return { watchlist: await this.get(userId, id, tx), added };
    });
  }

  /** Remove symbols (absent ones are ignored); returns the list and what was removed. */
  async remove(userId: string, id: string, symbols: readonly string[]) {
    return this.db.transaction(async (tx) => {
      await this.lockOwned(tx, userId, id);
      const { rows } = await tx.query<{ symbol: string }>(
        `DELETE FROM watchlist_items
         WHERE watchlist_id = $1 AND symbol IN (SELECT json_array_elements_text($2::json))
         RETURNING symbol`,
        [id, JSON.stringify(symbols)],
      );
      const removed = rows.map((r) => r.symbol).sort();
      if (removed.length) await tx.query('UPDATE watchlists SET updated_at = now() WHERE id = $1', [id]);
      return { watchlist: await this.get(userId, id, tx), removed };
    });
  }

  async delete(userId: string, id: string): Promise<{ id: string; deleted: true }> {
    const { rows } = await this.db.query<{ id: string }>(
      'DELETE FROM watchlists WHERE user_id = $1 AND id = $2 RETURNING id',
      [userId, id],
    );
    if (!rows[0]) throw new AppError('not_found', 'No such watchlist');
    return { id, deleted: true };
  }

  private async lockOwned(tx: Queryable, userId: string, id: string): Promise<void> {
    const { rows } = await tx.query('SELECT 1 FROM watchlists WHERE user_id = $1 AND id = $2 FOR UPDATE', [
      userId,
      id,
    ]);
    if (!rows[0]) throw new AppError('not_found', 'No such watchlist');
  }
}

/** Insert symbols in one statement (a bad one fails the whole transaction); returns the new ones. */
async function insertSymbols(
  tx: Queryable,
  watchlistId: string,
  symbols: readonly string[],
): Promise<string[]> {
  if (symbols.length === 0) return [];
  const { rows } = await tx.query<{ symbol: string }>(
    `INSERT INTO watchlist_items (watchlist_id, symbol)
     SELECT $1, s FROM json_array_elements_text($2::json) AS s
     ON CONFLICT DO NOTHING RETURNING symbol`,
    [watchlistId, JSON.stringify(symbols)],
  );
  return rows.map((r) => r.symbol).sort();
}
