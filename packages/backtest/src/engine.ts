import { type MarketEvent, sessionOn } from '@stockpulse/broker';
import { type DailyBar, toCents } from '@stockpulse/domain';
import {
  type BacktestSummary,
  type CurvePoint,
  type PositionSummary,
  stat,
  summarize,
  type Trade,
} from './analytics.js';
import { type BacktestOrder, OrderDesk } from './desk.js';
import { BacktestError } from './errors.js';
import { barsDigest, canonicalJson, sha256 } from './hash.js';
import { Ledger } from './ledger.js';
import { MarketTape } from './market-view.js';
import { type BacktestOptions, type BacktestOptionsInput, parseBacktestOptions } from './options.js';
import { once, portfolioView } from './portfolio-view.js';
import type { JsonValue, Strategy } from './strategy.js';
import { validateBars, validateBenchmark } from './validate.js';

/** Bumped when a change to the engine can change a result: part of the input hash. */
export const ENGINE_VERSION = 'backtest-engine/1';

export interface BenchmarkSeries {
  symbol: string;
  bars: ReadonlyArray<{ date: string; close: string }>;
}

export interface BacktestInput extends BacktestOptionsInput {
  /** Daily bars per symbol, oldest first, each on an NYSE session (simulated or stored). */
  bars: ReadonlyMap<string, readonly DailyBar[]>;
  benchmark: BenchmarkSeries;
  strategy: Strategy;
}

/** The account at one close; money in cents. */
export interface EquityPoint {
  date: string;
  cash: string;
  /** Σ signed position value at the close. */
  holdings: string;
  equity: string;
  /** Σ |position value| ÷ equity. */
  grossExposure: number;
  /** The benchmark's close that day, null if it has none. */
  benchmark: string | null;
}

export interface RejectionRecord {
  orderId: string;
  date: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string | null;
  notional: string | null;
  rules: string[];
  message: string;
}

/** Everything a run produced, JSON-safe (decimal strings, numbers, nulls) and deterministic. */
export interface BacktestResult {
  engine: typeof ENGINE_VERSION;
  /** SHA-256 of the canonical inputs: engine version, strategy name and params, options, bars, benchmark. */
  inputHash: string;
  strategy: { name: string; params: Readonly<Record<string, JsonValue>> };
  options: BacktestOptions;
  data: {
    symbols: string[];
    start: string;
    end: string;
    barsDigest: string;
    benchmark: { symbol: string; digest: string };
  };
  summary: BacktestSummary;
  equityCurve: EquityPoint[];
  trades: Trade[];
  orders: BacktestOrder[];
  rejections: RejectionRecord[];
  positions: PositionSummary[];
}

/**
 * Run a strategy over daily bars, event by event. At each date: working orders meet the day's bar
 * (stamped at the 09:30 open) through the broker's `matchOrder`; the day's bars become visible;
 * DAY orders expire at the close; the account is valued at the close; the strategy decides on what
 * it has seen, and its orders pass the broker's `checkRisk` and are placed at the close, to fill
 * from the next bar on. Pure and deterministic: no clock, no randomness.
 */
export function runBacktest(input: BacktestInput): BacktestResult {
  const { bars, benchmark, strategy, ...rest } = input;
  const options = parseBacktestOptions(rest);
  const symbols = validateBars(bars);
  const benchCloses = validateBenchmark(benchmark);
  const timeline = [...new Set([...bars.values()].flatMap((series) => series.map((b) => b.date)))].sort();
  if (timeline.length < 2) throw new BacktestError('invalid_input', 'A backtest needs at least two dates');

  const data = {
    symbols,
    start: timeline[0]!,
    end: timeline.at(-1)!,
    barsDigest: barsDigest(bars),
    benchmark: {
      symbol: benchmark.symbol,
      digest: sha256(benchmark.bars.map((b) => `${b.date},${b.close}\n`).join('')),
    },
  };
  const strategyId = { name: strategy.name, params: strategy.params };
  const inputHash = sha256(canonicalJson({ engine: ENGINE_VERSION, strategy: strategyId, options, data }));

  const tape = new MarketTape(symbols);
  const ledger = new Ledger(options.initialCash);
  const desk = new OrderDesk(
    {
      participationRate: options.participationRate,
      commission: options.commission,
      slippage: options.slippage,
    },
    options.riskLimits,
    options.allowShort,
  );
  const seriesOf = symbols.map((s) => bars.get(s)!);
  const cursor = symbols.map(() => 0);
  const curve: CurvePoint[] = [];
  const equityCurve: EquityPoint[] = [];
  const trades: Trade[] = [];
  let startOfDayEquity = ledger.valuation().equity;

  for (const [t, date] of timeline.entries()) {
    // Session instants only when an order needs them (the calendar's time-zone math is not free).
    const times = once(() => sessionTimes(date));

    const today: DailyBar[] = [];
    for (const [s, series] of seriesOf.entries()) {
      const bar = series[cursor[s]!];
      if (bar?.date === date) {
        today.push(bar);
        cursor[s]!++;
      }
    }

    if (desk.hasWorkingOrders) {
      const events = new Map(today.map((bar) => [bar.symbol, barEvent(bar, times().open)]));
      for (const fill of desk.matchBars((symbol) => events.get(symbol))) {
        ledger.apply(fill);
        const { accountId: _, ...trade } = fill;
        trades.push({ ...trade, date });
      }
    }
    tape.advance(date);
    for (const bar of today) {
      tape.append(bar);
      ledger.markClose(bar.symbol, bar.close);
    }
    if (desk.hasWorkingOrders) desk.expire(times().close);

    const value = ledger.valuation();
    curve.push({ date, equity: value.equity, gross: value.gross });
    equityCurve.push({
      date,
      cash: toCents(value.cash),
      holdings: toCents(value.holdings),
      equity: toCents(value.equity),
      grossExposure: value.equity.isZero() ? 0 : (stat(value.gross.div(value.equity).toNumber()) ?? 0),
      benchmark: benchCloses.get(date) ?? null,
    });

    if (t < timeline.length - 1) {
      const decision = strategy.decide({
        market: tape.view,
        portfolio: portfolioView(ledger, value.equity, desk),
      });
      if (decision) {
        desk.place(decision, {
          date,
          at: () => times().close,
          ledger,
          equity: value.equity,
          startOfDayEquity,
        });
      }
    }
    startOfDayEquity = value.equity;
  }

  const orders = desk.orders();
  const lastCloses = Object.fromEntries(
    symbols.flatMap((s) => {
      const close = ledger.lastClose(s);
      return close === undefined ? [] : [[s, close]];
    }),
  );
  const { summary, positions } = summarize({
    curve,
    benchmark: { symbol: benchmark.symbol, closes: benchCloses },
    trades,
    orders,
    lastCloses,
    options,
  });
  return {
    engine: ENGINE_VERSION,
    inputHash,
    strategy: strategyId,
    options,
    data,
    summary,
    equityCurve,
    trades,
    orders,
    rejections: orders
      .filter((o) => o.rejection !== null)
      .map((o) => ({
        orderId: o.id,
        date: o.decidedOn,
        symbol: o.symbol,
        side: o.side,
        quantity: o.quantity,
        notional: o.notional,
        rules: o.rejection!.rules,
        message: o.rejection!.message,
      })),
    positions,
  };
}

function sessionTimes(date: string): { open: string; close: string } {
  const session = sessionOn(date)!;
  return { open: new Date(session.openMs).toISOString(), close: new Date(session.closeMs).toISOString() };
}

/** A daily bar as the broker's market event, stamped at the session's open. */
function barEvent(bar: DailyBar, ts: string): MarketEvent {
  return {
    kind: 'bar',
    ts,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    volume: String(bar.volume),
  };
}
