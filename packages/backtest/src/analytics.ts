import { money, toCents } from '@stockpulse/domain';
import {
  type AccountEvent,
  annualizedVolatility,
  betaAlpha,
  computePositions,
  maxDrawdown,
  sharpeRatio,
  simpleReturns,
  sortinoRatio,
  timeWeightedReturn,
} from '@stockpulse/quant';
import type { Decimal } from 'decimal.js';
import type { BacktestOrder } from './desk.js';
import type { BacktestOptions } from './options.js';

/** Trading days per year, for annualizing (as `@stockpulse/quant`). */
export const PERIODS_PER_YEAR = 252;

/** One fill of the backtest, dated by its session. */
export interface Trade {
  id: string;
  orderId: string;
  date: string;
  symbol: string;
  side: 'buy' | 'sell';
  quantity: string;
  price: string;
  grossAmount: string;
  commission: string;
  netCashFlow: string;
  liquidity: 'taker' | 'maker';
  at: string;
}

export interface DrawdownSummary {
  /** Largest peak-to-trough fall as a positive fraction (0.2 = −20%). */
  value: number;
  peakDate: string | null;
  troughDate: string | null;
  recoveryDate: string | null;
}

export interface ReturnSummary {
  /** Time-weighted return over the whole run (no external flows, so equity_end ÷ equity_start − 1). */
  totalReturn: number;
  /** (1 + total)^(252 ÷ daily periods) − 1. */
  annualizedReturn: number | null;
  /** Sample σ of daily returns × √252. */
  annualizedVolatility: number | null;
  maxDrawdown: DrawdownSummary | null;
}

export interface BacktestSummary extends ReturnSummary {
  startDate: string;
  endDate: string;
  /** Bars in the timeline, the first one included (daily returns are one fewer). */
  tradingDays: number;
  initialEquity: string;
  finalEquity: string;
  /** Annual rate used for Sharpe, Sortino and alpha; rf per day = rate ÷ 252. */
  riskFreeRate: number;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  benchmark: ReturnSummary & {
    symbol: string;
    /** OLS of daily excess returns on the benchmark's, over the dates both have. */
    beta: number | null;
    /** Annualized intercept (× 252). */
    alpha: number | null;
    rSquared: number | null;
    observations: number;
  };
  exposure: {
    /** Mean over the days of Σ|position value| ÷ equity at the close. */
    averageGross: number;
    /** Share of days with any position open at the close. */
    timeInMarket: number;
  };
  /** One-way annual turnover: Σ traded value ÷ 2 ÷ mean equity ÷ years. */
  turnover: number | null;
  trades: {
    fills: number;
    /** Days on which a symbol's sells closed some of its lots. */
    closingTrades: number;
    wins: number;
    /** Closing trades with a positive realized P&L net of fees ÷ closing trades. */
    winRate: number | null;
    realizedPnl: string;
    unrealizedPnl: string;
    commissions: string;
  };
  orders: {
    placed: number;
    filled: number;
    rejected: number;
    expired: number;
    canceled: number;
    open: number;
  };
}

export interface PositionSummary {
  symbol: string;
  quantity: string;
  averageCost: string | null;
  costBasis: string;
  marketPrice: string | null;
  marketValue: string | null;
  realizedPnl: string;
  unrealizedPnl: string | null;
  commissions: string;
}

export interface CurvePoint {
  date: string;
  equity: Decimal;
  gross: Decimal;
}

export interface SummaryInput {
  curve: readonly CurvePoint[];
  benchmark: { symbol: string; closes: ReadonlyMap<string, string> };
  trades: readonly Trade[];
  orders: readonly BacktestOrder[];
  lastCloses: Readonly<Record<string, string>>;
  options: BacktestOptions;
}

/** Statistics as JSON-safe numbers: 12 significant digits, null for NaN or ±∞. */
export function stat(x: number): number | null {
  return Number.isFinite(x) ? Number(x.toPrecision(12)) : null;
}

export function summarize(input: SummaryInput): { summary: BacktestSummary; positions: PositionSummary[] } {
  const { curve, options } = input;
  const rf = { riskFreeRate: options.riskFreeRate, periodsPerYear: PERIODS_PER_YEAR };
  const values = curve.map((p) => ({ date: p.date, value: p.equity }));
  const returns = dailyReturns(values);

  const common = curve.filter((p) => input.benchmark.closes.has(p.date));
  const benchValues = common.map((p) => ({
    date: p.date,
    value: money(input.benchmark.closes.get(p.date)!),
  }));
  const benchReturns = dailyReturns(benchValues);
  const alignedReturns =
    common.length === curve.length
      ? returns
      : dailyReturns(common.map((p) => ({ date: p.date, value: p.equity })));
  const regression = alignedReturns.length >= 3 ? tryBetaAlpha(alignedReturns, benchReturns, rf) : null;

  const equities = curve.map((p) => p.equity.toNumber());
  const meanEquity = equities.reduce((s, x) => s + x, 0) / equities.length;
  const years = (curve.length - 1) / PERIODS_PER_YEAR;
  const traded = input.trades.reduce((s, t) => s.plus(t.grossAmount), money(0));
  const accounting = accountingOf(input);

  const status = (s: string) => input.orders.filter((o) => o.status === s).length;
  return {
    summary: {
      startDate: curve[0]!.date,
      endDate: curve.at(-1)!.date,
      tradingDays: curve.length,
      initialEquity: toCents(curve[0]!.equity),
      finalEquity: toCents(curve.at(-1)!.equity),
      ...returnSummary(values, returns),
      riskFreeRate: options.riskFreeRate,
      sharpeRatio: returns.length >= 2 ? stat(sharpeRatio(returns, rf)) : null,
      sortinoRatio: returns.length >= 2 ? stat(sortinoRatio(returns, rf)) : null,
      benchmark: {
        symbol: input.benchmark.symbol,
        ...returnSummary(benchValues, benchReturns),
        beta: regression ? stat(regression.beta) : null,
        alpha: regression ? stat(regression.alpha) : null,
        rSquared: regression ? stat(regression.rSquared) : null,
        observations: alignedReturns.length,
      },
      exposure: {
        averageGross:
          stat(
            curve.reduce((s, p) => s + (p.equity.isZero() ? 0 : p.gross.div(p.equity).toNumber()), 0) /
              curve.length,
          ) ?? 0,
        timeInMarket: stat(curve.filter((p) => !p.gross.isZero()).length / curve.length) ?? 0,
      },
      turnover: years > 0 && meanEquity > 0 ? stat(traded.toNumber() / 2 / meanEquity / years) : null,
      trades: { fills: input.trades.length, ...accounting.trades },
      orders: {
        placed: input.orders.length,
        filled: status('filled'),
        rejected: status('rejected'),
        expired: status('expired'),
        canceled: status('canceled'),
        open: input.orders.filter((o) => o.status === 'accepted' || o.status === 'partially_filled').length,
      },
    },
    positions: accounting.positions,
  };
}

/**
 * Daily returns for the statistics. A backtest has no external flows, so each day's time-weighted
 * sub-period return is the simple return of the values (floats are exact enough for statistics).
 */
function dailyReturns(values: ReadonlyArray<{ date: string; value: Decimal }>): number[] {
  if (values.length < 2 || values.some((v) => !v.value.gt(0))) return [];
  return simpleReturns(values.map((v) => v.value.toNumber()));
}

function returnSummary(
  values: ReadonlyArray<{ date: string; value: Decimal }>,
  returns: number[],
): ReturnSummary {
  if (values.length < 2) {
    return { totalReturn: 0, annualizedReturn: null, annualizedVolatility: null, maxDrawdown: null };
  }
  const total =
    returns.length > 0
      ? timeWeightedReturn(values).toNumber()
      : values.at(-1)!.value.div(values[0]!.value).minus(1).toNumber();
  const positive = values.every((v) => v.value.gt(0));
  const dd = positive ? maxDrawdown(values.map((v) => ({ date: v.date, value: v.value.toNumber() }))) : null;
  const periods = values.length - 1;
  return {
    totalReturn: stat(total) ?? 0,
    annualizedReturn: stat(1 + total <= 0 ? -1 : (1 + total) ** (PERIODS_PER_YEAR / periods) - 1),
    annualizedVolatility: returns.length >= 2 ? stat(annualizedVolatility(returns, PERIODS_PER_YEAR)) : null,
    maxDrawdown: dd && {
      value: stat(dd.maxDrawdown) ?? 0,
      peakDate: dd.peakDate,
      troughDate: dd.troughDate,
      recoveryDate: dd.recoveryDate,
    },
  };
}

function tryBetaAlpha(
  portfolio: number[],
  benchmark: number[],
  rf: { riskFreeRate: number; periodsPerYear: number },
) {
  if (benchmark.every((r) => r === benchmark[0])) return null; // beta undefined for a flat benchmark
  return betaAlpha(portfolio, benchmark, rf);
}

/** Realized P&L, win rate and positions from the fills, by `@stockpulse/quant`'s lot accounting. */
function accountingOf(input: SummaryInput) {
  const events: AccountEvent[] = input.trades.map((t) => ({
    type: t.side,
    date: t.date,
    symbol: t.symbol,
    quantity: t.quantity,
    price: t.price,
    commission: t.commission,
  }));
  const report = computePositions(events, {
    method: input.options.costMethod,
    asOf: input.curve.at(-1)!.date,
    prices: input.lastCloses,
    allowShort: input.options.allowShort,
  });
  const closing = new Map<string, Decimal>();
  for (const p of report.positions) {
    for (const c of p.closures) {
      const key = `${c.date} ${p.symbol}`;
      closing.set(key, (closing.get(key) ?? money(0)).plus(c.realizedPnl));
    }
  }
  const wins = [...closing.values()].filter((pnl) => pnl.gt(0)).length;
  const sumOf = (pick: (p: (typeof report.positions)[number]) => string | null) =>
    report.positions.reduce((s, p) => s.plus(pick(p) ?? 0), money(0));
  return {
    trades: {
      closingTrades: closing.size,
      wins,
      winRate: closing.size > 0 ? stat(wins / closing.size) : null,
      realizedPnl: toCents(sumOf((p) => p.realizedPnl)),
      unrealizedPnl: toCents(sumOf((p) => p.unrealizedPnl)),
      commissions: toCents(sumOf((p) => p.commissions)),
    },
    positions: report.positions.map((p) => ({
      symbol: p.symbol,
      quantity: p.quantity,
      averageCost: p.averageCost === null ? null : money(p.averageCost).toDecimalPlaces(4).toFixed(),
      costBasis: toCents(p.costBasis),
      marketPrice: p.marketPrice,
      marketValue: p.marketValue === null ? null : toCents(p.marketValue),
      realizedPnl: toCents(p.realizedPnl),
      unrealizedPnl: p.unrealizedPnl === null ? null : toCents(p.unrealizedPnl),
      commissions: toCents(p.commissions),
    })),
  };
}
