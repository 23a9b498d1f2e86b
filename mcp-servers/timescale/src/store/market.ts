import { AppError } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { type Company, type DailyBar, money } from '@stockpulse/domain';

export interface Quote {
  symbol: string;
  price: string;
  previousClose: string | null;
  change: string | null;
  changePercent: string | null;
  asOf: string;
}

const INSERT_CHUNK = 5_000;

/** Market data: the symbol universe and daily bars. */
export class MarketStore {
  constructor(readonly db: Database) {}

  async upsertSymbols(companies: readonly Company[]): Promise<void> {
    await this.db.query(
      `INSERT INTO symbols (symbol, name, sector, sub_industry, headquarters, search_text)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (symbol) DO UPDATE SET name = excluded.name, sector = excluded.sector,
         sub_industry = excluded.sub_industry, headquarters = excluded.headquarters, search_text = excluded.search_text`,
      [
        companies.map((c) => c.symbol),
        companies.map((c) => c.name),
        companies.map((c) => c.sector),
        companies.map((c) => c.subIndustry),
        companies.map((c) => c.headquarters),
        companies.map((c) => `${c.symbol} ${c.name} ${c.sector} ${c.subIndustry}`.toLowerCase()),
      ],
    );
  }

  /** Insert bars in multi-row chunks (one statement per chunk via unnest); existing days are kept. */
  async insertBars(bars: readonly DailyBar[]): Promise<number> {
    let inserted = 0;
    for (let i = 0; i < bars.length; i += INSERT_CHUNK) {
      const chunk = bars.slice(i, i + INSERT_CHUNK);
      const r = await this.db.query(
        `INSERT INTO daily_bars (symbol, day, open, high, low, close, volume)
         SELECT * FROM unnest($1::text[], $2::date[], $3::numeric[], $4::numeric[], $5::numeric[], $6::numeric[], $7::bigint[])
         ON CONFLICT (symbol, day) DO NOTHING`,
        [
          chunk.map((b) => b.symbol),
          chunk.map((b) => b.date),
          chunk.map((b) => b.open),
          chunk.map((b) => b.high),
          chunk.map((b) => b.low),
          chunk.map((b) => b.close),
          chunk.map((b) => b.volume),
        ],
      );
      inserted += r.rowCount;
    }
    return inserted;
  }

  async lastBarDay(): Promise<string | null> {
    const { rows } = await this.db.query<{ day: string | null }>('SELECT max(day) AS day FROM daily_bars');
    return rows[0]?.day ?? null;
  }

  async knownSymbols(symbols: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.db.query<{ symbol: string }>(
      'SELECT symbol FROM symbols WHERE symbol = ANY($1::text[])',
      [symbols],
    );
    return new Set(rows.map((r) => r.symbol));
  }

  /** Last close (and the one before it) for each symbol, in one query. Unknown symbols are an error. */
  async latestQuotes(symbols: readonly string[]): Promise<Quote[]> {
    const wanted = [...new Set(symbols.map((s) => s.trim().toUpperCase()))];
    const known = await this.knownSymbols(wanted);
    const unknown = wanted.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new AppError(
        'unknown_symbol',
        `Unknown symbol${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
        {
          symbols: unknown,
        },
      );
    }
    const { rows } = await this.db.query<{
      symbol: string;
      day: string;
      close: string;
      prev_close: string | null;
    }>(
      `SELECT s.symbol, b.day, b.close, b.prev_close FROM unnest($1::text[]) AS s(symbol)
       CROSS JOIN LATERAL (
         SELECT day, close, lead(close) OVER (ORDER BY day DESC) AS prev_close
         FROM daily_bars WHERE symbol = s.symbol ORDER BY day DESC LIMIT 2
       ) b`,
      [wanted],
    );
    const bySymbol = new Map<string, Quote>();
    for (const r of rows) {
      if (bySymbol.has(r.symbol)) continue; // first row per symbol is the latest
      const change = r.prev_close ? money(r.close).minus(r.prev_close) : null;
      bySymbol.set(r.symbol, {
        symbol: r.symbol,
        price: money(r.close).toFixed(2),
        previousClose: r.prev_close ? money(r.prev_close).toFixed(2) : null,
        change: change ? change.toFixed(2) : null,
        changePercent: change && r.prev_close ? change.div(r.prev_close).times(100).toFixed(2) : null,
        asOf: r.day,
      });
    }
    const missing = wanted.filter((s) => !bySymbol.has(s));
    if (missing.length > 0) throw new AppError('not_found', `No price data yet for ${missing.join(', ')}`);
    return wanted.map((s) => bySymbol.get(s)!);
  }

  async dailyBars(symbol: string, opts: { from?: string; to?: string; limit: number }) {
    const sym = symbol.trim().toUpperCase();
    if ((await this.knownSymbols([sym])).size === 0)
      throw new AppError('unknown_symbol', `Unknown symbol: ${sym}`);
    const { rows } = await this.db.query<{
      day: string;
      open: string;
      high: string;
      low: string;
      close: string;
      volume: number;
    }>(
      `SELECT day, open, high, low, close, volume FROM (
         SELECT * FROM daily_bars WHERE symbol = $1
           AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3)
         ORDER BY day DESC LIMIT $4) recent
       ORDER BY day`,
      [sym, opts.from ?? null, opts.to ?? null, opts.limit + 1],
    );
    const truncated = rows.length > opts.limit;
    const page = truncated ? rows.slice(1) : rows;
    return {
      symbol: sym,
      truncated,
      bars: page.map((r) => ({
        date: r.day,
        open: money(r.open).toFixed(2),
        high: money(r.high).toFixed(2),
        low: money(r.low).toFixed(2),
        close: money(r.close).toFixed(2),
        volume: r.volume,
      })),
    };
  }

  async searchSymbols(query: string, opts: { sector?: string; limit: number }) {
    const q = query.trim().toLowerCase();
    const { rows } = await this.db.query<{
      symbol: string;
      name: string;
      sector: string;
      sub_industry: string;
    }>(
      `SELECT symbol, name, sector, sub_industry FROM symbols
       WHERE ($1 = '' OR search_text LIKE '%' || $1 || '%') AND ($2::text IS NULL OR lower(sector) = lower($2))
       ORDER BY (lower(symbol) = $1) DESC, (lower(name) LIKE $1 || '%') DESC, symbol
       LIMIT $3`,
      [q, opts.sector ?? null, opts.limit],
    );
    return rows.map((r) => ({
      symbol: r.symbol,
      name: r.name,
      sector: r.sector,
      subIndustry: r.sub_industry,
    }));
  }
}
