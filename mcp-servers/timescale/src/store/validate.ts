import { exchangeTime, isTradingDay } from '@stockpulse/domain';

/** Intervals bars can be ingested at: daily bars by session date, 1-minute bars by their start. */
export const INGEST_INTERVALS = ['1d', '1m'] as const;
export type IngestInterval = (typeof INGEST_INTERVALS)[number];

/** A bar as a caller sends it: `time` is a session date (1d) or the minute's start instant (1m). */
export interface IngestBar {
  symbol: string;
  time: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

export interface BarProblem {
  index: number;
  symbol: string;
  time: string;
  problem: string;
}

/**
 * Prices are stored as numeric(18, 4); we accept at most 10 integer and 4 fractional digits. With at
 * most 14 significant digits every such decimal converts to a distinct double in the same order, so
 * comparing them as numbers is exact.
 */
export const PRICE_PATTERN = /^\d{1,10}(\.\d{1,4})?$/;
const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM-DD` naming a real day (`Date.parse` would roll 2024-02-30 over to March 1). */
export function isCalendarDate(s: string): boolean {
  if (!DATE_PATTERN.test(s)) return false;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(s);
}
// ISO-8601 with an explicit zone: `2024-03-28T13:30:00Z` or `2024-03-28T09:30:00-04:00`.
const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

export interface CheckedBars {
  /** The bars with symbols upper-cased; times are passed on as given (Postgres reads any zone). */
  bars: IngestBar[];
  problems: BarProblem[];
  /** Earliest and latest time of the batch: dates, or ISO UTC instants for 1m. */
  firstTime: string;
  lastTime: string;
}

/**
 * Check a batch before anything is written: time format and range, positive prices, OHLC
 * consistency (low ≤ open, close ≤ high), whole non-negative volumes, no (symbol, time) twice.
 * Written as a plain loop with few allocations: it runs over up to 10k bars per call on the ingest
 * hot path (instants are compared as epoch milliseconds, never re-formatted per bar).
 */
export function checkBars(interval: IngestInterval, bars: readonly IngestBar[], now: Date): CheckedBars {
  const problems: BarProblem[] = [];
  const seen = new Map<string, Map<string | number, number>>();
  const today = exchangeTime(now).date;
  const nowMs = now.getTime();
  const out = new Array<IngestBar>(bars.length);
  let first: string | number = interval === '1d' ? '9999-12-31' : Number.POSITIVE_INFINITY;
  let last: string | number = interval === '1d' ? '0000-01-01' : Number.NEGATIVE_INFINITY;
  for (let index = 0; index < bars.length; index++) {
    const bar = bars[index]!;
    const symbol = bar.symbol.trim().toUpperCase();
    const time = bar.time;
    let key: string | number = time;
    let problem: string | undefined;
    if (interval === '1d') {
      if (!isCalendarDate(time)) problem = 'time must be a date YYYY-MM-DD';
      else if (time > today) problem = `${time} is in the future`;
      else if (!isTradingDay(time)) problem = `${time} is not an NYSE trading day`;
    } else {
      const ms = INSTANT_PATTERN.test(time) ? Date.parse(time) : Number.NaN;
      if (Number.isNaN(ms))
        problem = 'time must be an ISO-8601 instant with a zone, e.g. 2024-03-28T13:30:00Z';
      else if (ms % 60_000 !== 0) problem = 'time must be the start of a minute (seconds = 0)';
      else if (ms > nowMs) problem = `${time} is in the future`;
      key = ms;
    }
    problem ??= priceProblem(bar);
    if (problem === undefined && !(Number.isSafeInteger(bar.volume) && bar.volume >= 0))
      problem = 'volume must be a whole number ≥ 0';
    const times = seen.get(symbol) ?? new Map<string | number, number>();
    if (times.size === 0) seen.set(symbol, times);
    const firstIndex = times.get(key);
    if (firstIndex === undefined) times.set(key, index);
    else problem ??= `same symbol and time as bars[${firstIndex}]`;
    if (problem !== undefined) problems.push({ index, symbol, time, problem });
    else {
      if (key < first) first = key;
      if (key > last) last = key;
    }
    out[index] =
      symbol === bar.symbol
        ? bar
        : {
            symbol,
            time,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            volume: bar.volume,
          };
  }
  const show = (k: string | number) => (typeof k === 'number' ? new Date(k).toISOString() : k);
  return { bars: out, problems, firstTime: show(first), lastTime: show(last) };
}

function priceProblem(bar: IngestBar): string | undefined {
  const { open, high, low, close } = bar;
  if (
    !(
      PRICE_PATTERN.test(open) &&
      PRICE_PATTERN.test(high) &&
      PRICE_PATTERN.test(low) &&
      PRICE_PATTERN.test(close)
    )
  ) {
    const bad = (['open', 'high', 'low', 'close'] as const).filter((k) => !PRICE_PATTERN.test(bar[k]));
    return `${bad.join(', ')} must be decimals with at most 4 decimal places`;
  }
  const [o, h, l, c] = [Number(open), Number(high), Number(low), Number(close)];
  if (o <= 0 || h <= 0 || l <= 0 || c <= 0) return 'prices must be positive';
  if (l > o || l > c) return `low ${low} is above open ${open} or close ${close}`;
  if (h < o || h < c) return `high ${high} is below open ${open} or close ${close}`;
  return undefined;
}
