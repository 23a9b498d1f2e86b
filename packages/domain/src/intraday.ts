import { exchangeInstant, MARKET_OPEN_MINUTES } from './calendar.js';
import { hash32, normal, rng } from './random.js';
import type { DailyBar } from './simulator.js';

/** One 1-minute OHLCV bar; `ts` is the minute's start (ISO-8601 UTC), prices exact decimal strings. */
export interface MinuteBar {
  symbol: string;
  ts: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

export const SESSION_MINUTES = 390;

const cents = (x: number) => Math.round(x * 100) / 100;

/**
 * The 390 one-minute bars of a regular session, consistent with its daily bar: the first open is the
 * day's open, the last close the day's close, the highest high and lowest low are the day's high
 * and low, and the volumes sum to the day's volume. Deterministic in (seed, symbol, date).
 *
 * The price path is pinned at four knots (open at 09:30, the high and the low at two random
 * minutes, close at 16:00) and joined by Brownian bridges in log price, clamped to the day's range.
 * Volume follows the usual U shape (busy open and close, quiet lunch) with noise.
 */
export function simulateMinuteBars(day: DailyBar, seed: number): MinuteBar[] {
  const uniform = rng(hash32(seed, 'intraday', day.symbol, day.date));
  const z = normal(uniform);
  const [open, high, low, close] = [day.open, day.high, day.low, day.close].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const n = SESSION_MINUTES;
  const tHigh = 1 + Math.floor(uniform() * (n - 1));
  let tLow = 1 + Math.floor(uniform() * (n - 2));
  if (tLow >= tHigh) tLow++;
  const knots: Array<[number, number, string]> = [
    [0, open, day.open],
    [tHigh, high, day.high],
    [tLow, low, day.low],
    [n, close, day.close],
  ];
  knots.sort((a, b) => a[0] - b[0]);

  // points[i] is the price at minute boundary i: minute i runs from points[i] to points[i + 1].
  const points = new Array<string>(n + 1);
  const sigma = (0.6 * Math.log(high / low)) / Math.sqrt(n);
  const clampToRange = (x: number): string => {
    const c = cents(x);
    if (c <= low) return day.low;
    if (c >= high) return day.high;
    return c.toFixed(2);
  };
  for (let k = 0; k + 1 < knots.length; k++) {
    const [t0, p0, s0] = knots[k]!;
    const [t1, p1] = knots[k + 1]!;
    points[t0] = s0;
    const len = t1 - t0;
    const walk = new Float64Array(len + 1);
    for (let i = 1; i <= len; i++) walk[i] = walk[i - 1]! + z() * sigma;
    const [l0, l1] = [Math.log(p0), Math.log(p1)];
    for (let i = 1; i < len; i++) {
      const f = i / len;
      points[t0 + i] = clampToRange(Math.exp(l0 + f * (l1 - l0) + walk[i]! - f * walk[len]!));
    }
  }
  points[n] = day.close;

  const volumes = splitVolume(day.volume, n, uniform, z);
  const first = exchangeInstant(day.date, MARKET_OPEN_MINUTES).getTime();
  const bars: MinuteBar[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const [o, c] = [points[i]!, points[i + 1]!];
    const [upper, lower] = Number(o) >= Number(c) ? [o, c] : [c, o];
    // Wicks beyond the bar's body, never beyond the day's range.
    const wick = () => Math.abs(z()) * sigma * 0.5 * Number(upper);
    const top = cents(Number(upper) + wick());
    const bottom = cents(Number(lower) - wick());
    bars[i] = {
      symbol: day.symbol,
      ts: new Date(first + i * 60_000).toISOString(),
      open: o,
      high: top >= high ? day.high : top > Number(upper) ? top.toFixed(2) : upper,
      low: bottom <= low ? day.low : bottom < Number(lower) ? bottom.toFixed(2) : lower,
      close: c,
      volume: volumes[i]!,
    };
  }
  return bars;
}

/** Integer volumes summing exactly to `total`, U-shaped over the session (largest remainders). */
function splitVolume(total: number, n: number, uniform: () => number, z: () => number): number[] {
  const weights = Array.from(
    { length: n },
    (_, i) => (1 + 2.5 * Math.exp(-i / 25) + 1.5 * Math.exp(-(n - 1 - i) / 20)) * Math.exp(0.35 * z()),
  );
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const volumes = exact.map(Math.floor);
  let left = total - volumes.reduce((s, v) => s + v, 0);
  const byRemainder = exact
    .map((x, i) => [x - Math.floor(x) + uniform() * 1e-9, i] as const)
    .sort((a, b) => b[0] - a[0]);
  for (let k = 0; left > 0; k = (k + 1) % n, left--) volumes[byRemainder[k]![1]]!++;
  return volumes;
}
