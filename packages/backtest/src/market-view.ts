import type { DailyBar } from '@stockpulse/domain';
import { BacktestError } from './errors.js';

/**
 * One symbol's bars up to and including the bar being decided on, oldest first. Prices are exact
 * strings in `bar(i)` and floats in the column arrays (for indicators). The arrays grow as the
 * backtest advances; at any decision they hold nothing later than that decision's date.
 */
export interface BarHistory {
  readonly symbol: string;
  /** Bars visible now. */
  readonly length: number;
  readonly dates: readonly string[];
  readonly open: readonly number[];
  readonly high: readonly number[];
  readonly low: readonly number[];
  readonly close: readonly number[];
  readonly volume: readonly number[];
  /** Bar `i`, 0 the oldest; negative counts back from the newest (−1 is today's). Past the newest: `look_ahead`. */
  bar(i: number): DailyBar;
}

/** What a strategy sees of the market at the close of one bar. */
export interface MarketView {
  /** The date of the bar being decided on (its close is known, nothing later is). */
  readonly date: string;
  /** Position of `date` in the backtest's timeline, 0 for the first bar. */
  readonly index: number;
  /** The timeline's previous date, null on the first bar. */
  readonly previousDate: string | null;
  /** Every symbol of the backtest, sorted. */
  readonly symbols: readonly string[];
  history(symbol: string): BarHistory;
  /** Whether `symbol` has a bar dated today (it may be missing, e.g. before its listing). */
  tradedToday(symbol: string): boolean;
  /** The symbol's bar on `date`, undefined if it has none; a date after today throws `look_ahead`. */
  barOn(symbol: string, date: string): DailyBar | undefined;
}

/** A history the tape appends to; strategies see it through the read-only `BarHistory` type. */
class GrowingHistory implements BarHistory {
  readonly dates: string[] = [];
  readonly open: number[] = [];
  readonly high: number[] = [];
  readonly low: number[] = [];
  readonly close: number[] = [];
  readonly volume: number[] = [];
  readonly #bars: DailyBar[] = [];

  constructor(readonly symbol: string) {}

  get length(): number {
    return this.#bars.length;
  }

  bar(i: number): DailyBar {
    const k = i < 0 ? this.#bars.length + i : i;
    if (k >= this.#bars.length) {
      throw new BacktestError(
        'look_ahead',
        `${this.symbol}: bar ${i} is not visible yet (${this.#bars.length} bars up to ${this.dates.at(-1) ?? 'none'})`,
        { symbol: this.symbol, index: i, visible: this.#bars.length },
      );
    }
    if (k < 0) {
      throw new BacktestError('invalid_input', `${this.symbol}: bar ${i} is before the first bar`, {
        symbol: this.symbol,
        index: i,
      });
    }
    // A frozen copy: a strategy cannot change the bars the engine matches and values with.
    return Object.freeze({ ...this.#bars[k]! });
  }

  append(bar: DailyBar, close: number): void {
    this.#bars.push(bar);
    this.dates.push(bar.date);
    this.open.push(Number(bar.open));
    this.high.push(Number(bar.high));
    this.low.push(Number(bar.low));
    this.close.push(close);
    this.volume.push(bar.volume);
  }
}

/**
 * The market as the engine reveals it, one date at a time. It never holds a bar later than the
 * current date: the engine appends each day's bars just before that day's decision, so a strategy
 * cannot reach the future through anything the view exposes, not even by keeping references.
 */
export class MarketTape {
  readonly #histories = new Map<string, GrowingHistory>();
  readonly #symbols: readonly string[];
  #date = '';
  #index = -1;
  #previousDate: string | null = null;
  readonly view: MarketView;

  constructor(symbols: readonly string[]) {
    this.#symbols = Object.freeze([...symbols].sort());
    for (const s of this.#symbols) this.#histories.set(s, new GrowingHistory(s));
    const tape = this;
    this.view = Object.freeze({
      get date() {
        return tape.#date;
      },
      get index() {
        return tape.#index;
      },
      get previousDate() {
        return tape.#previousDate;
      },
      symbols: this.#symbols,
      history: (symbol: string) => tape.#history(symbol),
      tradedToday: (symbol: string) => tape.#history(symbol).dates.at(-1) === tape.#date,
      barOn: (symbol: string, date: string) => tape.#barOn(symbol, date),
    });
  }

  /** Start a new date; its bars follow with `append`. */
  advance(date: string): void {
    this.#previousDate = this.#index < 0 ? null : this.#date;
    this.#date = date;
    this.#index++;
  }

  /** Reveal a bar of the current date (`close` is its close as a float, already parsed by the caller). */
  append(bar: DailyBar, close = Number(bar.close)): void {
    this.#history(bar.symbol).append(bar, close);
  }

  #history(symbol: string): GrowingHistory {
    const h = this.#histories.get(symbol);
    if (!h) throw new BacktestError('unknown_symbol', `${symbol} is not in this backtest`, { symbol });
    return h;
  }

  #barOn(symbol: string, date: string): DailyBar | undefined {
    if (date > this.#date) {
      throw new BacktestError('look_ahead', `${symbol} on ${date} is after the current bar (${this.#date})`, {
        symbol,
        date,
        current: this.#date,
      });
    }
    const h = this.#history(symbol);
    let lo = 0;
    let hi = h.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = h.dates[mid]!;
      if (d === date) return h.bar(mid);
      if (d < date) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}
