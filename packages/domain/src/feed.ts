import {
  addDays,
  exchangeInstant,
  exchangeTime,
  isTradingDay,
  MARKET_OPEN_MINUTES,
  sessionCloseMinutes,
} from './calendar.js';
import type { CorporateAction } from './corporate-actions.js';
import { type MinuteBar, SESSION_MINUTES, simulateMinuteBars } from './intraday.js';
import { money } from './money.js';
import { hash32, rng } from './random.js';
import { type DailyBar, simulateMarket } from './simulator.js';
import { companyBySymbol } from './universe.js';

/**
 * The simulated exchange's live feed: the price of any symbol at any instant, deterministic in
 * (seed, start). During a session the price walks the day's simulated minute bars (the same ones
 * the timescale server stores once the session has closed) with a tick every second inside each
 * minute; outside the session it is the last close. The paper broker fills against these ticks and
 * the timescale server quotes them, so both always agree.
 */

/** Where "now" is on the simulated exchange: the wall clock, or a shifted and/or accelerated one. */
export interface MarketClock {
  now(): Date;
}

export const systemClock: MarketClock = { now: () => new Date() };

/**
 * A clock that reads `marketStart` at the wall instant `wallAnchor` and runs `speed` times faster
 * than the wall clock from there (speed 60: a simulated hour per minute). Every process of a mesh
 * given the same three values agrees on the market time.
 */
export function shiftedClock(opts: { marketStart: Date; wallAnchor: Date; speed?: number }): MarketClock {
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('Clock speed must be positive');
  const start = opts.marketStart.getTime();
  const anchor = opts.wallAnchor.getTime();
  return { now: () => new Date(start + (Date.now() - anchor) * speed) };
}

/** One trade print of the feed. */
export interface Tick {
  symbol: string;
  /** ISO-8601 instant. */
  ts: string;
  price: string;
  /** Liquidity at the tick: the volume of its minute. */
  size: number;
}

export interface LiveQuote {
  symbol: string;
  price: string;
  /** The close of the session before the one `price` belongs to. */
  previousClose: string | null;
  /** Trading date the price belongs to (today's while the session is open). */
  sessionDate: string;
  /** Whether the regular session is open at `at`. */
  open: boolean;
  at: string;
  /** Today's range and volume so far while open; the whole session's once closed. */
  dayOpen: string;
  dayHigh: string;
  dayLow: string;
  dayVolume: number;
}

export interface FeedOptions {
  seed: number;
  /** First simulated trading day (the simulator's `start`). */
  start: string;
  clock?: MarketClock;
}

const cents = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

export class SimulatedFeed {
  readonly clock: MarketClock;
  private readonly bars = new Map<string, DailyBar[]>();
  private readonly actions = new Map<string, CorporateAction[]>();
  private readonly minutes = new Map<string, MinuteBar[]>();

  constructor(private readonly opts: FeedOptions) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Whether the symbol is one the exchange lists. */
  lists(symbol: string): boolean {
    return companyBySymbol(symbol) !== undefined;
  }

  /** The quote at `at` (default: the clock's now). */
  quote(symbol: string, at: Date = this.clock.now()): LiveQuote {
    const session = this.sessionAt(at);
    if (session.phase === 'open') {
      const day = this.dailyBar(symbol, session.date);
      const bars = this.minuteBars(day);
      const index = Math.min(SESSION_MINUTES - 1, Math.floor(session.fraction * SESSION_MINUTES));
      const sofar = bars.slice(0, index + 1);
      const tick = this.tickIn(bars[index]!, session.fraction * SESSION_MINUTES - index, at);
      const prices = [
        ...sofar.slice(0, -1).flatMap((b) => [Number(b.high), Number(b.low)]),
        Number(tick.price),
      ];
      return {
        symbol: day.symbol,
        price: tick.price,
        previousClose: this.previousClose(day.symbol, session.date),
        sessionDate: session.date,
        open: true,
        at: at.toISOString(),
        dayOpen: day.open,
        dayHigh: cents(Math.max(...prices)),
        dayLow: cents(Math.min(...prices)),
        dayVolume: sofar.slice(0, -1).reduce((s, b) => s + b.volume, 0),
      };
    }
    const date = session.phase === 'after' ? session.date : this.tradingDayBefore(session.date);
    const day = this.dailyBar(symbol, date);
    return {
      symbol: day.symbol,
      price: day.close,
      previousClose: this.previousClose(day.symbol, date),
      sessionDate: date,
      open: false,
      at: at.toISOString(),
      dayOpen: day.open,
      dayHigh: day.high,
      dayLow: day.low,
      dayVolume: day.volume,
    };
  }

  /** The tick at `at` while the session is open; null when the market is closed. */
  tickAt(symbol: string, at: Date = this.clock.now()): Tick | null {
    const session = this.sessionAt(at);
    if (session.phase !== 'open') return null;
    const bars = this.minuteBars(this.dailyBar(symbol, session.date));
    const index = Math.min(SESSION_MINUTES - 1, Math.floor(session.fraction * SESSION_MINUTES));
    return this.tickIn(bars[index]!, session.fraction * SESSION_MINUTES - index, at);
  }

  /**
   * The ticks of `symbol` in (from, to], one per second of open session; empty when the market was
   * closed throughout. Used by the broker to see every price the market crossed between two looks.
   */
  ticks(symbol: string, from: Date, to: Date, maxTicks = 3_600): Tick[] {
    const out: Tick[] = [];
    let t = Math.floor(from.getTime() / 1000) * 1000 + 1000;
    for (; t <= to.getTime() && out.length < maxTicks; t += 1000) {
      const at = new Date(t);
      const session = this.sessionAt(at);
      if (session.phase !== 'open') {
        // Jump to the next open instead of walking a closed night second by second.
        const next = this.nextOpen(at);
        if (next.getTime() > to.getTime()) break;
        t = next.getTime() - 1000;
        continue;
      }
      const day = this.dailyBar(symbol, session.date);
      const bars = this.minuteBars(day);
      const index = Math.min(SESSION_MINUTES - 1, Math.floor(session.fraction * SESSION_MINUTES));
      out.push(this.tickIn(bars[index]!, session.fraction * SESSION_MINUTES - index, at));
    }
    return out;
  }

  /** The simulated daily bar of a trading day (cached per symbol; the path never depends on the end). */
  dailyBar(symbol: string, date: string): DailyBar {
    const series = this.series(symbol, date);
    const bar = series.find((b) => b.date === date);
    if (!bar) throw new RangeError(`${date} is not a trading day of the simulation`);
    return bar;
  }

  /** The next instant the regular session opens, strictly after `at`. */
  nextOpen(at: Date): Date {
    let date = exchangeTime(at).date;
    for (let i = 0; i < 15; i++, date = addDays(date, 1)) {
      if (!isTradingDay(date)) continue;
      const open = exchangeInstant(date, MARKET_OPEN_MINUTES);
      if (open.getTime() > at.getTime()) return open;
    }
    throw new RangeError('No session within 15 days');
  }

  /** Where `at` falls: before, during or after its date's session (or a closed day). */
  sessionAt(at: Date): { date: string; phase: 'before' | 'open' | 'after'; fraction: number } {
    const { date, minutes } = exchangeTime(at);
    if (!isTradingDay(date)) return { date, phase: 'before', fraction: 0 };
    const close = sessionCloseMinutes(date);
    if (minutes < MARKET_OPEN_MINUTES) return { date, phase: 'before', fraction: 0 };
    if (minutes >= close) return { date, phase: 'after', fraction: 1 };
    const open = exchangeInstant(date, MARKET_OPEN_MINUTES).getTime();
    const end = exchangeInstant(date, close).getTime();
    return { date, phase: 'open', fraction: (at.getTime() - open) / (end - open) };
  }

  /** The close of a session's session end instant (early closes included). */
  sessionEnd(date: string): Date {
    return exchangeInstant(date, sessionCloseMinutes(date));
  }

  private tradingDayBefore(date: string): string {
    let d = addDays(date, -1);
    while (!isTradingDay(d)) d = addDays(d, -1);
    return d;
  }

  /**
   * The close a session's change is measured from: the previous close, adjusted like an exchange does
   * on an ex-date (less the dividend, divided by a split's ratio), so a split is not a crash.
   */
  private previousClose(symbol: string, date: string): string | null {
    const prev = this.tradingDayBefore(date);
    if (prev < this.opts.start) return null;
    let close = money(this.dailyBar(symbol, prev).close);
    for (const a of this.actions.get(symbol.trim().toUpperCase()) ?? []) {
      if (a.exDate !== date) continue;
      close = a.kind === 'split' ? close.div(a.ratio) : close.minus(a.amount);
    }
    return close.toFixed(2);
  }

  private series(symbol: string, through: string): DailyBar[] {
    const sym = symbol.trim().toUpperCase();
    let series = this.bars.get(sym);
    if (!series || series.at(-1)!.date < through) {
      const company = companyBySymbol(sym);
      if (!company) throw new RangeError(`Unknown symbol: ${sym}`);
      // Simulate a little past `through` so a session's neighbours are cached too.
      const end = addDays(through, 10);
      const market = simulateMarket({
        seed: this.opts.seed,
        start: this.opts.start,
        end,
        companies: [company],
      });
      series = market.bars.get(sym)!;
      this.bars.set(sym, series);
      this.actions.set(sym, market.corporateActions);
    }
    return series;
  }

  private minuteBars(day: DailyBar): MinuteBar[] {
    const key = `${day.symbol}|${day.date}`;
    let bars = this.minutes.get(key);
    if (!bars) {
      bars = simulateMinuteBars(day, this.opts.seed);
      if (this.minutes.size > 2_000) this.minutes.clear();
      this.minutes.set(key, bars);
    }
    return bars;
  }

  /**
   * The tick at a fraction of a minute bar: the open at its start moving to the close at its end,
   * with a seeded wiggle inside the bar's high–low range, so every tick respects the bar.
   */
  private tickIn(bar: MinuteBar, within: number, at: Date): Tick {
    const second = Math.floor(at.getTime() / 1000);
    const u = rng(hash32(this.opts.seed, 'tick', bar.symbol, second))();
    const [o, c, h, l] = [bar.open, bar.close, bar.high, bar.low].map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const f = Math.min(1, Math.max(0, within));
    const base = o + (c - o) * f;
    const wiggle = (u - 0.5) * (h - l) * 0.5 * Math.sin(Math.PI * f);
    const price = Math.min(h, Math.max(l, base + wiggle));
    return {
      symbol: bar.symbol,
      ts: at.toISOString(),
      price: cents(price),
      // The liquidity at the tick is its minute's volume: a market order is not limited to one second's prints.
      size: Math.max(1, bar.volume),
    };
  }
}

/** The clock of a configured simulator (`config.simulator`): shifted/accelerated when set, else the wall clock. */
export function marketClockOf(sim: {
  clock?: { marketStart: string; wallAnchor: string; speed: number };
}): MarketClock {
  return sim.clock
    ? shiftedClock({
        marketStart: new Date(sim.clock.marketStart),
        wallAnchor: new Date(sim.clock.wallAnchor),
        speed: sim.clock.speed,
      })
    : systemClock;
}
