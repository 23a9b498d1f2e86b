import { describe, expect, it } from 'vitest';
import {
  type CorporateAction,
  companyBySymbol,
  corporateActions,
  type DailyBar,
  DEMO_HOLDINGS,
  type DividendAction,
  dividendAmountString,
  dividendPolicy,
  loadUniverse,
  SPLIT_RULE,
  type SplitAction,
  simulateMarket,
  splitRatioFor,
  tradingDays,
} from '../src/index.js';

const companies = loadUniverse();
const opts = { seed: 3, start: '2024-01-02', end: '2026-06-30', companies };
const withActions = simulateMarket(opts);
const without = simulateMarket({ ...opts, corporateActions: false });
const dividends = withActions.corporateActions.filter((a): a is DividendAction => a.kind === 'dividend');
const splits = withActions.corporateActions.filter((a): a is SplitAction => a.kind === 'split');

const at = (bars: Map<string, DailyBar[]>, symbol: string, date: string) => {
  const series = bars.get(symbol)!;
  const t = series.findIndex((b) => b.date === date);
  return { bar: series[t]!, prev: series[t - 1]! };
};

describe('corporate actions: rules', () => {
  it('pays quarterly dividends for a documented subset: the anchors as in reality, sectors by share', () => {
    const payers = new Set(dividends.map((d) => d.symbol));
    for (const s of ['AAPL', 'MSFT', 'NVDA', 'JPM', 'XOM', 'GOOGL', 'KO', 'PG'])
      expect(payers.has(s)).toBe(true);
    for (const s of ['AMZN', 'TSLA', 'BRK.B', 'NFLX']) expect(payers.has(s)).toBe(false);
    // Who pays depends on the symbol only; the calendar and the yield on the seed.
    const other = corporateActions({ ...opts, seed: 4, end: '2024-12-31' }).filter(
      (a) => a.kind === 'dividend',
    );
    expect(new Set(other.map((d) => d.symbol))).toEqual(
      new Set(dividends.filter((d) => d.exDate <= '2024-12-31').map((d) => d.symbol)),
    );
    expect(payers.size / companies.length).toBeGreaterThan(0.65);
    expect(payers.size / companies.length).toBeLessThan(0.85);
    const utilities = companies.filter((c) => c.sector === 'Utilities');
    expect(utilities.every((c) => dividendPolicy(opts.seed, c) !== null)).toBe(true);
  });

  it('sets amounts from a 0.5–4 % yield, four ex-dates a year, paid 10–30 days later', () => {
    const byYear = new Map<string, DividendAction[]>();
    for (const d of dividends) {
      const key = `${d.symbol}|${d.exDate.slice(0, 4)}`;
      byYear.set(key, [...(byYear.get(key) ?? []), d]);
      expect(d.payDate > d.exDate).toBe(true);
      const lag = (Date.parse(d.payDate) - Date.parse(d.exDate)) / 86_400_000;
      expect(lag).toBeGreaterThanOrEqual(10);
      expect(lag).toBeLessThanOrEqual(30 + 4);
      expect(d.amount).toMatch(/^\d+\.\d{2,4}$/);
    }
    const lastAmount = new Map<string, number>();
    for (const [key, list] of byYear) {
      if (key.endsWith('2024') || key.endsWith('2025')) expect(list.length, key).toBeLessThanOrEqual(4);
      const first = list[0]!;
      const policy = dividendPolicy(opts.seed, companyBySymbol(first.symbol)!)!;
      expect(policy.annualYield).toBeGreaterThanOrEqual(0.005);
      expect(policy.annualYield).toBeLessThanOrEqual(0.04);
      if (splits.some((s) => s.symbol === first.symbol)) continue;
      // The year's first ex-date sets the amount: yield × previous close ÷ 4 in cents, never a cut.
      const { prev } = at(withActions.bars, first.symbol, first.exDate);
      const target = Math.max(0.01, Math.round(policy.annualYield * Number(prev.close) * 25) / 100);
      const expected = Math.max(lastAmount.get(first.symbol) ?? 0, target);
      expect(Math.abs(Number(first.amount) - expected), key).toBeLessThanOrEqual(0.0100001);
      expect(list.every((d) => d.amount === first.amount)).toBe(true);
      lastAmount.set(first.symbol, Number(first.amount));
    }
    // Full years: four a year for nearly every payer (a quarter is skipped only if it would exceed 5 % of the price).
    const full = [...byYear].filter(([k]) => k.endsWith('2024') || k.endsWith('2025'));
    expect(full.filter(([, l]) => l.length === 4).length / full.length).toBeGreaterThan(0.99);
  });

  it('formats amounts exactly', () => {
    expect(dividendAmountString(2400)).toBe('0.24');
    expect(dividendAmountString(833)).toBe('0.0833');
    expect(dividendAmountString(12_500)).toBe('1.25');
    expect(dividendAmountString(1250)).toBe('0.125');
  });

  it('splits rarely, by the price rule, never the demo holdings', () => {
    expect(splits.length).toBeGreaterThan(0);
    expect(splits.length / companies.length).toBeLessThan(0.1); // over two and a half years
    for (const s of splits) {
      expect(SPLIT_RULE.ratios).toContain(s.ratio);
      const days = tradingDays(s.announcedOn, s.exDate);
      expect(days).toHaveLength(SPLIT_RULE.noticeDays + 1);
      const trigger = at(withActions.bars, s.symbol, s.announcedOn).bar;
      expect(Number(trigger.close)).toBeGreaterThanOrEqual(SPLIT_RULE.minPrice - 0.01);
      expect(s.ratio).toBe(splitRatioFor(Number(trigger.close)));
    }
    expect(splitRatioFor(300)).toBe(2);
    expect(splitRatioFor(620)).toBe(4);
    expect(splitRatioFor(1500)).toBe(10);
    // The demo account never sees a split, whatever the seed and however long the history.
    const demo = DEMO_HOLDINGS.map((h) => companyBySymbol(h.symbol)!);
    for (const seed of [2024, 1, 2, 3]) {
      const actions = corporateActions({ seed, start: '2024-01-02', end: '2030-12-31', companies: demo });
      expect(actions.filter((a) => a.kind === 'split')).toEqual([]);
    }
  });

  it('is deterministic and never depends on the end date', () => {
    const some = companies.slice(0, 60);
    const short = corporateActions({ ...opts, companies: some, end: '2025-03-31' });
    const long = corporateActions({ ...opts, companies: some, end: '2026-06-30' });
    expect(long.filter((a) => a.exDate <= '2025-03-31')).toEqual(short);
    expect(long.length).toBeGreaterThan(short.length);
    expect(corporateActions({ ...opts, companies: some, end: '2025-03-31' })).toEqual(short);
  });
});

describe('corporate actions: the raw tape', () => {
  const beforeFirstAction = (symbol: string) =>
    withActions.corporateActions.find((a: CorporateAction) => a.symbol === symbol)?.exDate ?? '9999';

  it('is the same path as without actions until the first ex-date', () => {
    for (const c of companies.slice(0, 80)) {
      const first = beforeFirstAction(c.symbol);
      const a = withActions.bars.get(c.symbol)!.filter((b) => b.date < first);
      const b = without.bars.get(c.symbol)!.filter((x) => x.date < first);
      expect(a).toEqual(b);
    }
  });

  it('drops the price by the dividend on the ex-date', () => {
    for (const d of dividends) {
      const w = at(withActions.bars, d.symbol, d.exDate);
      const o = at(without.bars, d.symbol, d.exDate);
      // Same return from the previous close less the dividend: within the cents rounding.
      const scale = (Number(w.prev.close) - Number(d.amount)) / Number(o.prev.close);
      expect(Math.abs(Number(w.bar.close) - Number(o.bar.close) * scale), d.exDate).toBeLessThan(0.03);
      expect(Math.abs(Number(w.bar.open) - Number(o.bar.open) * scale)).toBeLessThan(0.03);
    }
  });

  it('hand-checks one dividend: the day starts from the previous close less the dividend', () => {
    const d = dividends.find((x) => x.symbol === 'KO')!;
    const w = at(withActions.bars, 'KO', d.exDate);
    const o = at(without.bars, 'KO', d.exDate);
    const dayReturn = Number(o.bar.close) / Number(o.prev.close);
    const expected = (Number(w.prev.close) - Number(d.amount)) * dayReturn;
    expect(Number(w.bar.close)).toBeCloseTo(expected, 1);
  });

  it('divides prices by the ratio and multiplies volume from a split’s ex-date', () => {
    for (const s of splits) {
      const w = at(withActions.bars, s.symbol, s.exDate);
      const o = at(without.bars, s.symbol, s.exDate);
      const scale = Number(w.prev.close) / Number(o.prev.close) / s.ratio;
      for (const k of ['open', 'high', 'low', 'close'] as const) {
        expect(Math.abs(Number(w.bar[k]) - Number(o.bar[k]) * scale), `${s.symbol} ${k}`).toBeLessThan(0.03);
      }
      const sharesPerOriginal = splits
        .filter((x) => x.symbol === s.symbol && x.exDate <= s.exDate)
        .reduce((p, x) => p * x.ratio, 1);
      expect(Math.abs(w.bar.volume - o.bar.volume * sharesPerOriginal)).toBeLessThanOrEqual(
        sharesPerOriginal,
      );
      // The day before, the old basis: the stock traded at least at the trigger level.
      expect(Number(w.prev.close) / Number(w.bar.close)).toBeGreaterThan(s.ratio * 0.7);
    }
  });
});
