import { exchangeTime, Money, money } from '@stockpulse/domain';

/** One trading day for one symbol. Prices are plain decimal strings, never floats. */
export interface DailyBar {
  symbol: string;
  /** Exchange (New York) trading date, 'YYYY-MM-DD'. */
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
  /** Split- and dividend-adjusted close, where the source gives one (Yahoo CSV). */
  adjClose?: string;
}

export interface Quote {
  symbol: string;
  /** Last trade price. */
  price: string;
  bid: string | null;
  ask: string | null;
  /** ISO 8601 time of the last trade; only the trading date ('YYYY-MM-DD') where the source gives no time. */
  asOf: string;
  /** Which provider answered. */
  provider: string;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isIsoDate(value: string): boolean {
  return ISO_DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
}

/** A JSON number or numeric string as a plain decimal string ('1.5e2' → '150'); null if it is neither. */
export function decimalString(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? money(String(value)).toFixed() : null;
  if (typeof value !== 'string' || !NUMBER.test(value.trim())) return null;
  return money(value.trim()).toFixed();
}

/** A non-negative share count rounded half-even to an integer (split-adjusted volumes can be fractional). */
export function volumeInteger(value: unknown): number | null {
  const text = decimalString(value);
  if (text === null || money(text).isNegative()) return null;
  return money(text).toDecimalPlaces(0).toNumber();
}

export type BarIssue = 'non_positive_price' | 'inconsistent_range';

/** The one rule every bar obeys, wherever it came from: positive prices, low ≤ open, close ≤ high. */
export function barIssue(bar: Pick<DailyBar, 'open' | 'high' | 'low' | 'close'>): BarIssue | null {
  const [open, high, low, close] = [bar.open, bar.high, bar.low, bar.close].map((p) => money(p));
  if ([open, high, low, close].some((p) => !p!.gt(0))) return 'non_positive_price';
  if (high!.lt(Money.max(open!, close!)) || low!.gt(Money.min(open!, close!))) return 'inconsistent_range';
  return null;
}

/** The New York trading date of an instant (daily bars are stamped at midnight New York time); '' if not a time. */
export function exchangeDate(epochMs: number): string {
  return Number.isFinite(epochMs) ? exchangeTime(new Date(epochMs)).date : '';
}
