/**
 * Every indicator of `@stockpulse/quant` over 10 years of daily bars for 500 symbols (target < 2 s,
 * issue 5): SMA(20), EMA(20), RSI(14), MACD(12/26/9), Bollinger(20/2), ATR(14), stochastic(14/3/3),
 * OBV, VWAP (cumulative and rolling 20) and rolling volatility (20, annualized).
 *
 *   node --import tsx bench/indicators.ts
 *
 * Bars come from `simulateDailyBars` (seed 1, 2015-01-02 … 2024-12-31, the first 500 symbols of the
 * universe). Generating them and turning their decimal strings into number columns is timed apart and
 * not counted. The indicator pass runs RUNS times; reported: the first (cold) pass and the median,
 * wall clock and CPU (user + system) time of this process. Prints a markdown section for RESULTS.md.
 */
import { cpus } from 'node:os';
import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import {
  atr,
  bollingerBands,
  ema,
  macd,
  obv,
  rollingVolatility,
  rollingVwap,
  rsi,
  sma,
  stochastic,
  vwap,
} from '@stockpulse/quant';

const SYMBOLS = 500;
const RUNS = 5;

let t = performance.now();
const companies = loadUniverse().slice(0, SYMBOLS);
const bars = simulateDailyBars({ seed: 1, start: '2015-01-02', end: '2024-12-31', companies });
const generateMs = performance.now() - t;

t = performance.now();
const columns = [...bars.values()].map((series) => ({
  high: series.map((b) => Number(b.high)),
  low: series.map((b) => Number(b.low)),
  close: series.map((b) => Number(b.close)),
  volume: series.map((b) => b.volume),
}));
const prepareMs = performance.now() - t;
const barCount = columns.reduce((n, c) => n + c.close.length, 0);

/** One pass of every indicator over every symbol; returns a checksum so nothing is optimized away. */
function pass(): number {
  let check = 0;
  const last = (xs: readonly number[]) => xs[xs.length - 1]!;
  for (const { high, low, close, volume } of columns) {
    check += last(sma(close, 20));
    check += last(ema(close, 20));
    check += last(rsi(close, 14));
    check += last(macd(close).histogram);
    check += last(bollingerBands(close).upper);
    check += last(atr(high, low, close, 14));
    check += last(stochastic(high, low, close).d);
    check += last(obv(close, volume)) * 1e-9;
    check += last(vwap(high, low, close, volume));
    check += last(rollingVwap(high, low, close, volume, 20));
    check += last(rollingVolatility(close, 20, { annualize: true }));
  }
  return check;
}

const runs: Array<{ wallMs: number; cpuMs: number; check: number }> = [];
for (let i = 0; i < RUNS; i++) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const check = pass();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  runs.push({ wallMs, cpuMs: (used.user + used.system) / 1000, check });
}
if (new Set(runs.map((r) => r.check)).size !== 1) throw new Error('passes disagree');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const wall = median(runs.map((r) => r.wallMs));
const cpu = median(runs.map((r) => r.cpuMs));
const [load1] = (await import('node:os')).loadavg();

console.log(`## Indicators: 500 symbols × 10 years of daily bars (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

\`node --import tsx bench/indicators.ts\`: ${columns.length} symbols × ${columns[0]!.close.length} bars = ${barCount.toLocaleString('en-US')} bars,
11 indicator series per symbol. Not counted: simulating the bars (${s(generateMs)}) and parsing them into number columns (${s(prepareMs)}).
Load average at the end: ${load1!.toFixed(1)} on ${cpus().length} cores.

| pass | wall | CPU | target |
| --- | --- | --- | --- |
| first (cold JIT) | ${s(runs[0]!.wallMs)} | ${s(runs[0]!.cpuMs)} | < 2 s |
| median of ${RUNS} | ${s(wall)} | ${s(cpu)} | < 2 s |
`);
