import { AppError } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { addDays, type Company, type DailyBar, exchangeTime, money } from '@stockpulse/domain';
import { EXCHANGE_TIME_ZONE, exchangeInstant } from '../calendar.js';
import type { MinuteBar } from './intraday.js';
import { checkBars, type IngestBar, type IngestInterval, isCalendarDate } from './validate.js';

export interface Quote {
  symbol: string;
  price: string;
  previousClose: string | null;
  change: string | null;
  changePercent: string | null;
  asOf: string;
}

export const BAR_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

/** One bar of `bars()`: `time` is its start (ISO UTC; a daily bar starts at the 09:30 open), `date` its New York session date. */
export interface Bar {
  time: string;
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

/** How intraday bars are bucketed: TimescaleDB's `time_bucket`, or core Postgres' `date_bin` (PG 14+, PGlite). */
export type BucketFunction = 'time_bucket' | 'date_bin';

export interface IngestResult {
  interval: IngestInterval;
  received: number;
  inserted: number;
  /** Bars whose (symbol, time) already existed and were left as they were (`onConflict: 'skip'`). */
  skipped: number;
  /** Bars whose (symbol, time) already existed and were overwritten (`onConflict: 'replace'`). */
  replaced: number;
  symbols: number;
  firstTime: string;
  lastTime: string;
}

export const MAX_INGEST_BARS = 10_000;
const BUCKET_WIDTH: Record<Exclude<BarInterval, '1d'>, string> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '1h': '1 hour',
};
/**
 * Buckets are aligned on the 09:30 open (a Monday 09:30 New York standard time). Daylight saving moves
 * the open by a whole hour, so 5m, 15m and 1h buckets start at 09:30 all year round.
 */
const BUCKET_ORIGIN = '2000-01-03T14:30:00Z';

/** Prices as stored (numeric(18, 4)) shown with at least two decimals and no trailing zeros beyond. */
function price(v: string): string {
  const d = money(v);
  return d.toFixed(Math.max(2, d.decimalPlaces()));
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A range bound: a date stands for that whole New York day, an ISO instant for itself. `start` is
 * the first instant the bound takes in, `after` the first one past it (stored times are whole
 * minutes, so an instant's `after` one millisecond later is exact).
 */
function parseBound(v: string | undefined, edge: 'from' | 'to') {
  if (v === undefined) return null;
  if (DATE_PATTERN.test(v)) {
    if (!isCalendarDate(v)) throw new AppError('bad_request', `\`${edge}\` is not a calendar date: ${v}`);
    return { date: v, start: exchangeInstant(v, 0), after: exchangeInstant(addDays(v, 1), 0) };
  }
  const ms = Date.parse(v);
  if (Number.isNaN(ms))
    throw new AppError('bad_request', `\`${edge}\` must be a date or an ISO-8601 instant`);
  return { date: exchangeTime(new Date(ms)).date, start: new Date(ms), after: new Date(ms + 1) };
}

/** Market data: the symbol universe, daily bars and 1-minute bars. */
export class MarketStore {
  readonly bucketFunction: BucketFunction;

  constructor(
    readonly db: Database,
    opts: { bucketFunction?: BucketFunction } = {},
  ) {
    this.bucketFunction = opts.bucketFunction ?? 'date_bin';
  }

  /** The store with its SQL path chosen once: `time_bucket` when TimescaleDB is installed, `date_bin` otherwise. */
  static async open(db: Database): Promise<MarketStore> {
    return new MarketStore(db, {
      bucketFunction: (await db.hasExtension('timescaledb')) ? 'time_bucket' : 'date_bin',
    });
  }

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

  /** Insert daily bars in one COPY (see `writeBars`); existing days are kept. */
  async insertBars(bars: readonly DailyBar[]): Promise<number> {
    const rows = barRows(bars, (b) => b.date);
    return (await writeBars(this.db, '1d', rows, 'skip')).inserted;
  }

  /** Insert 1-minute bars the same way; existing minutes are kept. */
  async insertMinuteBars(bars: readonly MinuteBar[]): Promise<number> {
    const rows = barRows(bars, (b) => b.ts);
    return (await writeBars(this.db, '1m', rows, 'skip')).inserted;
  }

  /**
   * Validated bulk ingest, all or nothing: every bar is checked (see `checkBars`) and every symbol
   * must be in the universe before one row is written, then all go in one transaction.
   * Idempotent on (symbol, date) or (symbol, minute): existing rows are skipped or replaced.
   */
  async ingestBars(
    interval: IngestInterval,
    input: readonly IngestBar[],
    opts: { onConflict?: 'skip' | 'replace'; now?: Date } = {},
  ): Promise<IngestResult> {
    if (input.length === 0) throw new AppError('bad_request', 'No bars to ingest');
    if (input.length > MAX_INGEST_BARS)
      throw new AppError('bad_request', `At most ${MAX_INGEST_BARS} bars per call (got ${input.length})`);
    const { bars, problems, firstTime, lastTime } = checkBars(interval, input, opts.now ?? new Date());
    if (problems.length > 0) {
      const [p] = problems;
      throw new AppError(
        'bad_request',
        `${problems.length} invalid bar${problems.length > 1 ? 's' : ''}, nothing was written; ` +
          `first: bars[${p!.index}] (${p!.symbol} ${p!.time}): ${p!.problem}`,
        { invalid: problems.length, problems: problems.slice(0, 20) },
      );
    }
    const symbols = [...new Set(bars.map((b) => b.symbol))];
    const known = await this.knownSymbols(symbols);
    const unknown = symbols.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new AppError(
        'unknown_symbol',
        `Unknown symbol${unknown.length > 1 ? 's' : ''}: ${unknown.slice(0, 20).join(', ')}; nothing was written`,
        { symbols: unknown },
      );
    }
    const mode = opts.onConflict ?? 'skip';
    const rows = barRows(bars, (b) => b.time);
    const written = await writeBars(this.db, interval, rows, mode);
    return {
      interval,
      received: bars.length,
      inserted: written.inserted,
      skipped: mode === 'skip' ? bars.length - written.inserted : 0,
      replaced: mode === 'replace' ? bars.length - written.inserted : 0,
      symbols: symbols.length,
      firstTime,
      lastTime,
    };
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

  private async requireSymbol(symbol: string): Promise<string> {
    const sym = symbol.trim().toUpperCase();
    if ((await this.knownSymbols([sym])).size === 0)
      throw new AppError('unknown_symbol', `Unknown symbol: ${sym}`);
    return sym;
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
    const sym = await this.requireSymbol(symbol);
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

  /**
   * OHLCV bars at any interval, oldest first, the most recent `limit` of them. Daily bars come from
   * `daily_bars`; intraday ones are built from 1-minute bars, bucketed by `time_bucket` or
   * `date_bin` (open = first, high = max, low = min, close = last, volume = sum). `from`/`to` are
   * dates (whole New York days) or ISO instants, both inclusive.
   */
  async bars(
    symbol: string,
    opts: { interval: BarInterval; from?: string; to?: string; limit: number },
  ): Promise<{ symbol: string; interval: BarInterval; truncated: boolean; bars: Bar[] }> {
    const sym = await this.requireSymbol(symbol);
    const from = parseBound(opts.from, 'from');
    const to = parseBound(opts.to, 'to');
    if (from && to && from.start > to.start)
      throw new AppError('bad_request', '`from` must not be after `to`');
    const q =
      opts.interval === '1d'
        ? this.db.query<DbBar>(
            `SELECT (day + time '09:30') AT TIME ZONE '${EXCHANGE_TIME_ZONE}' AS time, day AS date,
               open, high, low, close, volume
             FROM daily_bars WHERE symbol = $1
               AND ($2::date IS NULL OR day >= $2) AND ($3::date IS NULL OR day <= $3)
             ORDER BY day DESC LIMIT $4`,
            [sym, from?.date ?? null, to?.date ?? null, opts.limit + 1],
          )
        : this.db.query<DbBar>(
            `SELECT bucket AS time, (bucket AT TIME ZONE '${EXCHANGE_TIME_ZONE}')::date AS date,
               (array_agg(open ORDER BY ts))[1] AS open, max(high) AS high, min(low) AS low,
               (array_agg(close ORDER BY ts DESC))[1] AS close, sum(volume)::bigint AS volume
             FROM (
               SELECT ${this.bucketFunction}($2::interval, ts, $3::timestamptz) AS bucket, *
               FROM minute_bars WHERE symbol = $1
                 AND ($4::timestamptz IS NULL OR ts >= $4)
                 AND ($5::timestamptz IS NULL OR ts < $5)
             ) m
             GROUP BY bucket ORDER BY bucket DESC LIMIT $6`,
            [
              sym,
              BUCKET_WIDTH[opts.interval],
              BUCKET_ORIGIN,
              from?.start ?? null,
              to?.after ?? null,
              opts.limit + 1,
            ],
          );
    const { rows } = await q;
    if (rows.length === 0 && opts.interval !== '1d' && !(await this.hasMinuteBars(sym))) {
      throw new AppError(
        'not_found',
        `No intraday bars for ${sym}: they cover recent sessions of the most traded symbols. Use interval 1d.`,
      );
    }
    const truncated = rows.length > opts.limit;
    const page = (truncated ? rows.slice(0, opts.limit) : rows).reverse();
    return {
      symbol: sym,
      interval: opts.interval,
      truncated,
      bars: page.map((r) => ({
        time: r.time.toISOString(),
        date: r.date,
        open: price(r.open),
        high: price(r.high),
        low: price(r.low),
        close: price(r.close),
        volume: r.volume,
      })),
    };
  }

  private async hasMinuteBars(symbol: string): Promise<boolean> {
    const { rows } = await this.db.query('SELECT 1 FROM minute_bars WHERE symbol = $1 LIMIT 1', [symbol]);
    return rows.length > 0;
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

  /** Every symbol of the universe, by ticker. */
  async universe() {
    return this.searchSymbols('', { limit: 10_000 });
  }

  /**
   * GICS sectors with their sub-industries and how many symbols each holds; with `sector`, only that
   * sector, and each sub-industry also lists its tickers. An unknown sector names the known ones.
   */
  async sectors(sector?: string): Promise<SectorSummary[]> {
    const { rows } = await this.db.query<{
      sector: string;
      sub_industry: string;
      symbols: string[];
    }>(
      `SELECT sector, sub_industry, array_agg(symbol ORDER BY symbol) AS symbols FROM symbols
       WHERE $1::text IS NULL OR lower(sector) = lower($1)
       GROUP BY sector, sub_industry ORDER BY sector, sub_industry`,
      [sector?.trim() ?? null],
    );
    if (sector && rows.length === 0) {
      const all = await this.sectors();
      throw new AppError(
        'not_found',
        `No sector '${sector}'. Sectors: ${all.map((s) => s.sector).join(', ')}`,
      );
    }
    const bySector = new Map<string, SectorSummary>();
    for (const r of rows) {
      const s = bySector.get(r.sector) ?? { sector: r.sector, symbolCount: 0, subIndustries: [] };
      bySector.set(r.sector, s);
      s.symbolCount += r.symbols.length;
      s.subIndustries.push({
        name: r.sub_industry,
        symbolCount: r.symbols.length,
        ...(sector ? { symbols: r.symbols } : {}),
      });
    }
    return [...bySector.values()];
  }

  // --- intraday upkeep (seeding and retention) ---------------------------------------------------

  /** The `count` symbols with the highest average dollar volume over the sessions in (from, to]. */
  async mostTradedSymbols(count: number, from: string, to: string): Promise<string[]> {
    const { rows } = await this.db.query<{ symbol: string }>(
      `SELECT symbol FROM daily_bars WHERE day > $1 AND day <= $2
       GROUP BY symbol ORDER BY avg(close * volume) DESC, symbol LIMIT $3`,
      [from, to, count],
    );
    return rows.map((r) => r.symbol);
  }

  async dailyBarsBetween(symbols: readonly string[], from: string, to: string): Promise<DailyBar[]> {
    const { rows } = await this.db.query<DailyBar>(
      `SELECT symbol, day AS date, open, high, low, close, volume FROM daily_bars
       WHERE symbol = ANY($1::text[]) AND day >= $2 AND day <= $3 ORDER BY symbol, day`,
      [symbols, from, to],
    );
    return rows;
  }

  /** `symbol|date` of every New York session that has 1-minute bars since `from`. */
  async minuteSessions(from: Date): Promise<Set<string>> {
    const { rows } = await this.db.query<{ symbol: string; day: string }>(
      `SELECT DISTINCT symbol, (ts AT TIME ZONE '${EXCHANGE_TIME_ZONE}')::date AS day
       FROM minute_bars WHERE ts >= $1`,
      [from],
    );
    return new Set(rows.map((r) => `${r.symbol}|${r.day}`));
  }

  /**
   * Retention for 1-minute bars: on TimescaleDB whole chunks older than `cutoff` are dropped
   * (`drop_chunks`, available without the community licence); elsewhere the rows are deleted.
   */
  async dropMinuteBarsBefore(cutoff: Date): Promise<{ method: 'drop_chunks' | 'delete'; dropped: number }> {
    if (this.bucketFunction === 'time_bucket') {
      const { rows } = await this.db.query(
        `SELECT drop_chunks('minute_bars', older_than => $1::timestamptz)`,
        [cutoff],
      );
      return { method: 'drop_chunks', dropped: rows.length };
    }
    const r = await this.db.query('DELETE FROM minute_bars WHERE ts < $1', [cutoff]);
    return { method: 'delete', dropped: r.rowCount };
  }

  /** What the database does for this store: the bucketing function and TimescaleDB objects, if any. */
  async storageFeatures(): Promise<{
    bucketFunction: BucketFunction;
    hypertables: string[];
    continuousAggregates: string[];
    policies: string[];
  }> {
    const features = {
      bucketFunction: this.bucketFunction,
      hypertables: [] as string[],
      continuousAggregates: [] as string[],
      policies: [] as string[],
    };
    if (this.bucketFunction !== 'time_bucket') return features;
    const q = async (sql: string) =>
      (await this.db.query<{ name: string }>(sql, [this.db.schema])).rows.map((r) => r.name);
    features.hypertables = await q(
      `SELECT hypertable_name AS name FROM timescaledb_information.hypertables
       WHERE hypertable_schema = $1 ORDER BY 1`,
    );
    features.continuousAggregates = await q(
      `SELECT view_name AS name FROM timescaledb_information.continuous_aggregates
       WHERE view_schema = $1 ORDER BY 1`,
    );
    features.policies = await q(
      `SELECT proc_name || ' on ' || hypertable_name AS name FROM timescaledb_information.jobs
       WHERE hypertable_schema = $1 ORDER BY 1`,
    );
    return features;
  }
}

export interface SectorSummary {
  sector: string;
  symbolCount: number;
  subIndustries: Array<{ name: string; symbolCount: number; symbols?: string[] }>;
}

interface DbBar {
  time: Date;
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

type BarRow = [
  symbol: string,
  time: string,
  open: string,
  high: string,
  low: string,
  close: string,
  volume: number,
];

/** COPY rows of bars, `time` being the session date (1d) or the minute's start (1m); re-iterable. */
function barRows<B extends Omit<IngestBar, 'time'>>(bars: readonly B[], time: (b: B) => string) {
  return {
    *[Symbol.iterator]() {
      for (const b of bars) yield [b.symbol, time(b), b.open, b.high, b.low, b.close, b.volume] as BarRow;
    },
  };
}

const BAR_TABLES = {
  '1d': { table: 'daily_bars', key: 'day' },
  '1m': { table: 'minute_bars', key: 'ts' },
} as const;

const UNIQUE_VIOLATION = '23505';

/**
 * Write bars in one transaction, idempotently per (symbol, time). Optimistic first: one COPY straight
 * into the table, which is all it takes when every bar is new (the usual case: fresh data). If any
 * (symbol, time) already exists that COPY fails as a whole; it is rolled back to a savepoint and the
 * bars go the idempotent way: COPY into a temporary staging table (COPY takes no `ON CONFLICT`), then
 * one `INSERT … SELECT … ON CONFLICT`. `replace` overwrites existing rows and counts fresh ones via
 * `xmax = 0`. (A failed optimistic COPY leaves dead tuples for VACUUM, as any rolled-back insert does.)
 */
async function writeBars(
  db: Database,
  interval: IngestInterval,
  rows: Iterable<BarRow>,
  mode: 'skip' | 'replace',
): Promise<{ inserted: number }> {
  const { table, key } = BAR_TABLES[interval];
  const columns = ['symbol', key, 'open', 'high', 'low', 'close', 'volume'];
  const list = columns.join(', ');
  const insert = `INSERT INTO ${table} (${list}) SELECT ${list} FROM bars_in`;
  const sql =
    mode === 'skip'
      ? `${insert} ON CONFLICT (symbol, ${key}) DO NOTHING`
      : `WITH written AS (${insert}
           ON CONFLICT (symbol, ${key}) DO UPDATE SET open = excluded.open, high = excluded.high,
             low = excluded.low, close = excluded.close, volume = excluded.volume
           RETURNING (xmax = 0) AS fresh)
         SELECT count(*) FILTER (WHERE fresh)::int AS inserted FROM written`;
  return db.transaction(async (tx) => {
    await tx.exec('SAVEPOINT bars_direct');
    try {
      return { inserted: await tx.copyFrom(table, columns, rows) };
    } catch (e) {
      if ((e as { code?: unknown }).code !== UNIQUE_VIOLATION) throw e;
      await tx.exec('ROLLBACK TO SAVEPOINT bars_direct');
    }
    // No indexes or constraints but NOT NULL: the real table checks the rows on the way in.
    await tx.exec(`CREATE TEMP TABLE bars_in (LIKE ${table}) ON COMMIT DROP`);
    await tx.copyFrom('bars_in', columns, rows);
    const r = await tx.query<{ inserted: number }>(sql);
    return { inserted: mode === 'skip' ? r.rowCount : (r.rows[0]?.inserted ?? 0) };
  });
}
