import { tradingDays } from './calendar.js';
import {
  type CorporateAction,
  DIVIDEND_RULE,
  dividendAmountString,
  dividendCalendar,
  dividendPolicy,
  maySplit,
  SPLIT_RULE,
  splitRatioFor,
} from './corporate-actions.js';
import { companyEvents, macroEvents } from './events.js';
import { hash32, normal, rng } from './random.js';
import type { Company } from './universe.js';

/** One daily OHLCV bar; prices are exact decimal strings in dollars with cents. */
export interface DailyBar {
  symbol: string;
  date: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: number;
}

export interface SimulationOptions {
  seed: number;
  /** First trading day simulated (ISO date); the path always starts here, so a day's price never depends on `end`. */
  start: string;
  end: string;
  companies: readonly Company[];
  /**
   * Apply dividends and splits to the tape (default true). `false` gives the same returns without
   * them: a path without the ex-date drops and split divisions, used to check those adjustments.
   */
  corporateActions?: boolean;
}

// Rough early-2024 price levels for well-known names so the demo looks familiar; others are drawn.
const ANCHORS: Record<string, number> = {
  AAPL: 185,
  MSFT: 370,
  NVDA: 48,
  AMZN: 150,
  GOOGL: 140,
  GOOG: 141,
  META: 350,
  TSLA: 240,
  'BRK.B': 360,
  JPM: 170,
  V: 260,
  MA: 425,
  UNH: 520,
  JNJ: 158,
  XOM: 100,
  CVX: 150,
  PG: 147,
  HD: 350,
  KO: 60,
  PEP: 170,
  AVGO: 110,
  AMD: 140,
  INTC: 48,
  CSCO: 50,
  ORCL: 105,
  CRM: 260,
  ADBE: 600,
  NFLX: 480,
  COST: 660,
  WMT: 52,
  DIS: 90,
  BAC: 33,
  WFC: 49,
  GS: 385,
  MS: 93,
  LLY: 590,
  MRK: 108,
  PFE: 29,
  ABBV: 155,
  TMO: 530,
  QCOM: 145,
  TXN: 170,
  MU: 85,
  AMAT: 160,
  LRCX: 78,
  KLAC: 580,
  IBM: 160,
  CAT: 295,
  BA: 250,
  GE: 100,
  NKE: 108,
};

const DAILY_MARKET_VOL = 0.0075;
const DAILY_SECTOR_VOL = 0.0045;

interface SymbolParams {
  start: number;
  drift: number;
  beta: number;
  idioVol: number;
  baseVolume: number;
}

function paramsFor(seed: number, symbol: string): SymbolParams {
  const u = rng(hash32(seed, 'params', symbol));
  return {
    start: ANCHORS[symbol] ?? Math.round((15 + 385 * u() ** 1.6) * 100) / 100,
    drift: (-0.04 + 0.16 * u()) / 252,
    beta: 0.65 + 0.8 * u(),
    idioVol: 0.006 + 0.012 * u(),
    baseVolume: Math.round(800_000 + 30_000_000 * u() ** 2),
  };
}

function factorSeries(seed: number, name: string, days: number, vol: number): Float64Array {
  const z = normal(rng(hash32(seed, 'factor', name)));
  const out = new Float64Array(days);
  // Two volatility regimes with sticky switching, so calm and stressed stretches alternate.
  const regime = rng(hash32(seed, 'regime', name));
  let stressed = false;
  for (let t = 0; t < days; t++) {
    if (regime() < (stressed ? 0.04 : 0.01)) stressed = !stressed;
    out[t] = z() * vol * (stressed ? 1.9 : 1);
  }
  return out;
}

const cents = (x: number) => (Math.round(x * 100) / 100).toFixed(2);

/** What one simulation produces: the raw daily tape and the corporate actions already in it. */
export interface SimulatedMarket {
  bars: Map<string, DailyBar[]>;
  /** Dividends and splits with an ex-date in the simulated range, by ex-date then symbol. */
  corporateActions: CorporateAction[];
}

/**
 * Daily bars for every company from `start` to `end` (NYSE trading days): log returns from a market
 * factor, a GICS-sector factor and an idiosyncratic term, with per-symbol drift, beta and volatility,
 * plus the jumps of the simulated news (`events.ts`: earnings, guidance, analyst actions, and macro
 * releases that shock the market factor). Prices follow a geometric walk (never negative) and are
 * raw, like a real tape: they drop by the dividend on an ex-date and are divided by the ratio from a
 * split's ex-date, volume multiplied (`corporate-actions.ts`). Deterministic in (seed, start):
 * extending `end` appends days without changing earlier ones.
 */
export function simulateMarket(opts: SimulationOptions): SimulatedMarket {
  const days = tradingDays(opts.start, opts.end);
  const n = days.length;
  const market = factorSeries(opts.seed, 'market', n, DAILY_MARKET_VOL);
  const macro = { jump: new Float64Array(n), gap: new Float64Array(n), volume: new Float64Array(n).fill(1) };
  for (const s of macroEvents(opts.seed, days)) {
    macro.jump[s.t]! += s.logJump;
    macro.gap[s.t]! += s.logJump * s.gapShare;
    macro.volume[s.t]! *= s.volumeBoost;
  }
  const sectors = new Map<string, Float64Array>();
  const bars = new Map<string, DailyBar[]>();
  const actions: CorporateAction[] = [];
  for (const company of opts.companies) {
    let sector = sectors.get(company.sector);
    if (!sector) {
      sector = factorSeries(opts.seed, `sector:${company.sector}`, n, DAILY_SECTOR_VOL);
      sectors.set(company.sector, sector);
    }
    const path = simulateCompany(opts, company, days, market, sector, macro);
    bars.set(company.symbol, path.bars);
    actions.push(...path.actions);
  }
  actions.sort((a, b) => a.exDate.localeCompare(b.exDate) || a.symbol.localeCompare(b.symbol));
  return { bars, corporateActions: actions };
}

/** The daily tape of `simulateMarket`. */
export function simulateDailyBars(opts: SimulationOptions): Map<string, DailyBar[]> {
  return simulateMarket(opts).bars;
}

/** The dividends and splits of `simulateMarket` with an ex-date from `start` to `end`. */
export function corporateActions(opts: SimulationOptions): CorporateAction[] {
  return simulateMarket(opts).corporateActions;
}

function simulateCompany(
  opts: SimulationOptions,
  company: Company,
  days: readonly string[],
  market: Float64Array,
  sector: Float64Array,
  macro: { jump: Float64Array; gap: Float64Array; volume: Float64Array },
): { bars: DailyBar[]; actions: CorporateAction[] } {
  const n = days.length;
  const p = paramsFor(opts.seed, company.symbol);
  const z = normal(rng(hash32(opts.seed, 'idio', company.symbol)));
  const news = { jump: new Float64Array(n), gap: new Float64Array(n), volume: new Float64Array(n).fill(1) };
  for (const s of companyEvents(opts.seed, company, days)) {
    news.jump[s.t]! += s.logJump;
    news.gap[s.t]! += s.logJump * s.gapShare;
    news.volume[s.t]! *= s.volumeBoost;
  }
  const withActions = opts.corporateActions !== false;
  const policy = withActions && n > 0 ? dividendPolicy(opts.seed, company) : null;
  const exDates = new Map(
    policy
      ? dividendCalendar(policy, Number(days[0]!.slice(0, 4)), Number(days.at(-1)!.slice(0, 4))).map((d) => [
          d.exDate,
          d.payDate,
        ])
      : [],
  );
  const splits = withActions && maySplit(company.symbol);

  const bars: DailyBar[] = [];
  const actions: CorporateAction[] = [];
  let prevClose = p.start;
  let splitReference = p.start;
  let pendingSplit: { t: number; ratio: number; announcedOn: string } | undefined;
  let sharesPerOriginal = 1;
  let dividend = 0; // quarterly amount, ten-thousandths of a dollar
  let dividendYear = '';
  for (let t = 0; t < n; t++) {
    const date = days[t]!;
    // Corporate actions take effect at the open: the day starts from the adjusted previous close.
    let reference = prevClose;
    if (pendingSplit?.t === t) {
      const { ratio, announcedOn } = pendingSplit;
      reference /= ratio;
      sharesPerOriginal *= ratio;
      splitReference = reference;
      dividend = Math.round(dividend / ratio);
      actions.push({ symbol: company.symbol, kind: 'split', exDate: date, ratio, announcedOn });
      pendingSplit = undefined;
    }
    const payDate = exDates.get(date);
    if (policy && payDate) {
      if (date.slice(0, 4) !== dividendYear) {
        dividendYear = date.slice(0, 4);
        const target = Math.max(
          DIVIDEND_RULE.minCents,
          Math.round(((policy.annualYield * reference) / 4) * 100),
        );
        dividend = Math.max(dividend, target * 100);
      }
      const amount = dividend / 10_000;
      if (amount <= DIVIDEND_RULE.maxShareOfPrice * reference) {
        reference -= amount;
        actions.push({
          symbol: company.symbol,
          kind: 'dividend',
          exDate: date,
          payDate,
          amount: dividendAmountString(dividend),
        });
      }
    }

    const idio = z() * p.idioVol;
    const systematic = p.beta * market[t]! + sector[t]!;
    // Itô correction keeps the expected price growth at the drift, whatever the volatility; the
    // news jumps are symmetric simple returns, so they add no drift of their own.
    const ret =
      p.drift -
      0.5 * (systematic * systematic + idio * idio) +
      systematic +
      idio +
      news.jump[t]! +
      p.beta * macro.jump[t]!;
    const gap = news.gap[t]! + p.beta * macro.gap[t]!;
    const totalVol = Math.abs(ret) + p.idioVol;
    const open = reference * Math.exp(gap + z() * 0.25 * p.idioVol);
    const close = reference * Math.exp(ret);
    const high = Math.max(open, close) * Math.exp(Math.abs(z()) * 0.35 * totalVol);
    const low = Math.min(open, close) * Math.exp(-Math.abs(z()) * 0.35 * totalVol);
    const volume = Math.round(
      p.baseVolume *
        sharesPerOriginal *
        news.volume[t]! *
        macro.volume[t]! *
        Math.exp(0.3 * z()) *
        (1 + 8 * Math.abs(ret)),
    );
    const [o, c] = [cents(open), cents(close)];
    bars.push({
      symbol: company.symbol,
      date,
      open: o,
      high: cents(Math.max(high, Number(o), Number(c))),
      low: cents(Math.max(0.01, Math.min(low, Number(o), Number(c)))),
      close: c,
      volume,
    });
    prevClose = close;
    if (
      splits &&
      !pendingSplit &&
      close >= Math.max(SPLIT_RULE.minPrice, SPLIT_RULE.multiple * splitReference)
    ) {
      pendingSplit = { t: t + SPLIT_RULE.noticeDays, ratio: splitRatioFor(close), announcedOn: date };
    }
  }
  return { bars, actions };
}
