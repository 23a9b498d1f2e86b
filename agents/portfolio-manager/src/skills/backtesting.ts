import { type BacktestResult, equalWeightIndex, runBacktest, strategyFromSpec } from '@stockpulse/backtest';
import { AppError } from '@stockpulse/core';
import { type DailyBar, formatUsd } from '@stockpulse/domain';
import { z } from 'zod';
import { callTool, type DailyBarsResult, type SkillContext } from './context.js';

export const backtestRequestSchema = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('run'),
    strategy: z.object({
      name: z.string().min(1).max(60),
      params: z.record(z.string(), z.unknown()).default({}),
    }),
    symbols: z
      .array(z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/))
      .min(1)
      .max(20),
    initialCash: z
      .string()
      .regex(/^\d{1,12}(\.\d{1,2})?$/)
      .default('100000'),
  }),
  z.object({ action: z.literal('list') }),
]);
export type BacktestRequest = z.infer<typeof backtestRequestSchema>;

/** As much daily history as the market data server gives in one call. */
const HISTORY_BARS = 1000;

const pct = (x: number | null | undefined, digits = 1) =>
  x === null || x === undefined ? 'n/a' : `${(x * 100).toFixed(digits)}%`;

const STRATEGY_NAMES: Record<string, string> = {
  ma_crossover: 'moving-average crossover',
  rsi_mean_reversion: 'RSI mean reversion',
  momentum_rotation: 'momentum rotation',
  target_weights: 'target weights',
};

interface StoredBacktest {
  id: string;
  strategy: { name: string; params: Record<string, unknown> };
  symbols: string[];
  summary: BacktestResult['summary'];
  createdAt: string;
}

/**
 * The `backtesting` skill: a built-in strategy over the stored daily bars, event by event through the
 * broker's matching and risk rules (@stockpulse/backtest), against an equal-weighted buy-and-hold of
 * the same symbols; the result is stored in the ledger and summarized.
 */
export async function backtest(ctx: SkillContext, request: BacktestRequest) {
  if (request.action === 'list') return listBacktests(ctx);
  const histories = await Promise.all(
    request.symbols.map((symbol) =>
      callTool<DailyBarsResult>(ctx, ctx.data.market, 'get_daily_bars', { symbol, limit: HISTORY_BARS }),
    ),
  );
  const bars = new Map<string, DailyBar[]>(
    histories.map((h) => [h.symbol, h.bars.map((b) => ({ symbol: h.symbol, ...b }))]),
  );
  let result: BacktestResult;
  try {
    result = runBacktest({
      bars,
      benchmark: equalWeightIndex(bars),
      strategy: strategyFromSpec({ name: request.strategy.name as never, params: request.strategy.params }),
      initialCash: request.initialCash,
    });
  } catch (e) {
    const err = e as { code?: string; message: string };
    if (err.code === 'invalid_input' || err.code === 'unknown_symbol')
      throw new AppError('bad_request', err.message);
    throw e;
  }
  const stored = await callTool<{ id: string; created: boolean }>(ctx, ctx.data.ledger, 'save_backtest', {
    inputHash: result.inputHash,
    strategy: result.strategy,
    symbols: result.data.symbols,
    summary: result.summary,
    result,
  });
  const s = result.summary;
  const name = STRATEGY_NAMES[result.strategy.name] ?? result.strategy.name;
  const text = [
    `Backtest of ${name} on ${result.data.symbols.join(', ')}, ${s.startDate} to ${s.endDate} (${s.tradingDays} sessions), starting with ${formatUsd(s.initialEquity)}:`,
    `it ended at ${formatUsd(s.finalEquity)}, a return of ${pct(s.totalReturn)} (${pct(s.annualizedReturn)} a year) with ${pct(s.annualizedVolatility)} volatility,`,
    `a Sharpe ratio of ${s.sharpeRatio?.toFixed(2) ?? 'n/a'} and a worst drawdown of ${pct(s.maxDrawdown?.value)}.`,
    `Holding the same stocks equally weighted returned ${pct(s.benchmark.totalReturn)}.`,
    `${s.trades.fills} fills, win rate ${pct(s.trades.winRate, 0)}; ${result.rejections.length} orders refused by the risk rules.`,
    `Saved as backtest ${stored.id.slice(0, 8)}; signals at each close are traded at the next open, so no future data is used.`,
  ].join(' ');
  return {
    text,
    data: {
      kind: 'backtest-result',
      backtestId: stored.id,
      inputHash: result.inputHash,
      strategy: result.strategy,
      summary: s,
      equityCurve: result.equityCurve.map((p) => ({
        date: p.date,
        equity: p.equity,
        benchmark: p.benchmark,
      })),
    },
  };
}

async function listBacktests(ctx: SkillContext) {
  const { items } = await callTool<{ items: StoredBacktest[] }>(ctx, ctx.data.ledger, 'list_backtests', {
    limit: 10,
  });
  if (items.length === 0) {
    return {
      text: 'You have no saved backtests. Try "backtest a moving average crossover on AAPL".',
      data: { kind: 'backtest-list', backtests: [] },
    };
  }
  const lines = items.map(
    (b) =>
      `- ${b.createdAt.slice(0, 10)} ${STRATEGY_NAMES[b.strategy.name] ?? b.strategy.name} on ${b.symbols.join(', ')}: ${pct(b.summary.totalReturn)} (benchmark ${pct(b.summary.benchmark?.totalReturn)})`,
  );
  return {
    text: ['Your saved backtests:', ...lines].join('\n'),
    data: { kind: 'backtest-list', backtests: items },
  };
}
