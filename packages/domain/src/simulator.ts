import { tradingDays } from './calendar.js';
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

/**
 * Daily bars for every company from `start` to `end` (NYSE trading days): log returns from a market
 * factor, a GICS-sector factor and an idiosyncratic term, with per-symbol drift, beta and volatility.
 * Prices follow a geometric walk (never negative). Deterministic in (seed, start): extending `end`
 * appends days without changing earlier ones.
 */
export function simulateDailyBars(opts: SimulationOptions): Map<string, DailyBar[]> {
  const days = tradingDays(opts.start, opts.end);
  const market = factorSeries(opts.seed, 'market', days.length, DAILY_MARKET_VOL);
  const sectors = new Map<string, Float64Array>();
  const out = new Map<string, DailyBar[]>();
  for (const company of opts.companies) {
    let sector = sectors.get(company.sector);
    if (!sector) {
      sector = factorSeries(opts.seed, `sector:${company.sector}`, days.length, DAILY_SECTOR_VOL);
      sectors.set(company.sector, sector);
    }
    const p = paramsFor(opts.seed, company.symbol);
    const z = normal(rng(hash32(opts.seed, 'idio', company.symbol)));
    const bars: DailyBar[] = [];
    let prevClose = p.start;
    for (let t = 0; t < days.length; t++) {
      const idio = z() * p.idioVol;
      const systematic = p.beta * market[t]! + sector[t]!;
      // Itô correction keeps the expected price growth at the drift, whatever the volatility.
      const ret = p.drift - 0.5 * (systematic * systematic + idio * idio) + systematic + idio;
      const totalVol = Math.abs(ret) + p.idioVol;
      const open = prevClose * Math.exp(z() * 0.25 * p.idioVol);
      const close = prevClose * Math.exp(ret);
      const high = Math.max(open, close) * Math.exp(Math.abs(z()) * 0.35 * totalVol);
      const low = Math.min(open, close) * Math.exp(-Math.abs(z()) * 0.35 * totalVol);
      const volume = Math.round(p.baseVolume * Math.exp(0.3 * z()) * (1 + 8 * Math.abs(ret)));
      const [o, c] = [cents(open), cents(close)];
      bars.push({
        symbol: company.symbol,
        date: days[t]!,
        open: o,
        high: cents(Math.max(high, Number(o), Number(c))),
        low: cents(Math.max(0.01, Math.min(low, Number(o), Number(c)))),
        close: c,
        volume,
      });
      prevClose = close;
    }
    out.set(company.symbol, bars);
  }
  return out;
}
