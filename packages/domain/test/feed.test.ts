import { describe, expect, it } from 'vitest';
import {
  corporateActions,
  loadUniverse,
  money,
  SimulatedFeed,
  shiftedClock,
  simulateDailyBars,
} from '../src/index.js';

const SIM = { seed: 2024, start: '2024-01-02' };
const aapl = loadUniverse().filter((c) => c.symbol === 'AAPL');
const bars = simulateDailyBars({ ...SIM, end: '2025-07-10', companies: aapl }).get('AAPL')!;
const bar = (date: string) => bars.find((b) => b.date === date)!;

describe('SimulatedFeed', () => {
  const feed = new SimulatedFeed(SIM);

  it('quotes the last close outside the session, with the close before it', () => {
    // Saturday 2025-07-05: the last session is Thursday 07-03 (07-04 is a holiday).
    const q = feed.quote('AAPL', new Date('2025-07-05T15:00:00Z'));
    expect(q).toMatchObject({ open: false, sessionDate: '2025-07-03', price: bar('2025-07-03').close });
    expect(q.previousClose).toBe(bar('2025-07-02').close);
    // Before Monday's open, still Thursday's close.
    expect(feed.quote('AAPL', new Date('2025-07-07T12:00:00Z')).sessionDate).toBe('2025-07-03');
  });

  it('walks the day inside its range while open and ends at the close', () => {
    const day = bar('2025-07-09');
    const open = new Date('2025-07-09T13:30:00Z'); // 09:30 New York (EDT)
    const first = feed.quote('AAPL', new Date(open.getTime() + 1000));
    expect(first).toMatchObject({ open: true, sessionDate: '2025-07-09', dayOpen: day.open });
    expect(first.previousClose).toBe(bar('2025-07-08').close);
    for (let m = 0; m < 390; m += 7) {
      const q = feed.quote('AAPL', new Date(open.getTime() + m * 60_000 + 29_000));
      expect(Number(q.price)).toBeGreaterThanOrEqual(Number(day.low));
      expect(Number(q.price)).toBeLessThanOrEqual(Number(day.high));
      expect(Number(q.dayHigh)).toBeLessThanOrEqual(Number(day.high));
    }
    const after = feed.quote('AAPL', new Date('2025-07-09T20:00:00Z'));
    expect(after).toMatchObject({ open: false, price: day.close, sessionDate: '2025-07-09' });
  });

  it('is deterministic per seed and differs across seeds', () => {
    const at = new Date('2025-07-09T15:00:00Z');
    expect(new SimulatedFeed(SIM).quote('NVDA', at)).toEqual(feed.quote('NVDA', at));
    expect(new SimulatedFeed({ ...SIM, seed: 7 }).quote('NVDA', at).price).not.toBe(
      feed.quote('NVDA', at).price,
    );
  });

  it('prints a tick per open second and skips closed hours', () => {
    const ticks = feed.ticks('AAPL', new Date('2025-07-09T19:59:50Z'), new Date('2025-07-10T13:30:05Z'));
    // The last 9 seconds before Wednesday's 16:00 close, then Thursday from the 09:30:00 open.
    expect(ticks).toHaveLength(15);
    expect(ticks[8]!.ts).toBe('2025-07-09T19:59:59.000Z');
    expect(ticks[9]!.ts).toBe('2025-07-10T13:30:00.000Z');
    expect(ticks.at(-1)!.ts).toBe('2025-07-10T13:30:05.000Z');
    for (const t of ticks) expect(t.size).toBeGreaterThan(0);
  });

  it('knows early closes: the day after Thanksgiving ends at 13:00', () => {
    expect(feed.quote('AAPL', new Date('2024-11-29T17:59:00Z')).open).toBe(true);
    expect(feed.quote('AAPL', new Date('2024-11-29T18:01:00Z')).open).toBe(false);
  });
});

describe('shiftedClock', () => {
  it('reads the market start at the anchor and runs at its speed', () => {
    const anchor = new Date(Date.now() - 2_000);
    const clock = shiftedClock({
      marketStart: new Date('2025-07-09T14:00:00Z'),
      wallAnchor: anchor,
      speed: 60,
    });
    const elapsed = clock.now().getTime() - Date.parse('2025-07-09T14:00:00Z');
    expect(elapsed).toBeGreaterThanOrEqual(119_000);
    expect(elapsed).toBeLessThan(125_000);
    expect(() => shiftedClock({ marketStart: anchor, wallAnchor: anchor, speed: 0 })).toThrow(/positive/);
  });
});

describe('SimulatedFeed across corporate actions', () => {
  it('measures the change on a split ex-date from the split-adjusted previous close', () => {
    const companies = loadUniverse();
    const split = corporateActions({ ...SIM, end: '2026-06-30', companies }).find((a) => a.kind === 'split');
    expect(split, 'the simulated universe has at least one split').toBeDefined();
    if (split?.kind !== 'split') return;
    const feed = new SimulatedFeed(SIM);
    const q = feed.quote(split.symbol, new Date(`${split.exDate}T23:00:00Z`));
    const series = simulateDailyBars({
      ...SIM,
      end: split.exDate,
      companies: companies.filter((c) => c.symbol === split.symbol),
    }).get(split.symbol)!;
    const rawPrevious = series.at(-2)!.close;
    expect(q.previousClose).toBe(money(rawPrevious).div(split.ratio).toFixed(2));
    // The day's change is an ordinary move, not a ÷ratio crash.
    expect(Math.abs(Number(q.price) / Number(q.previousClose) - 1)).toBeLessThan(0.35);
  });
});
