import { z } from 'zod';
import type { Strategy } from '../strategy.js';
import { CashBufferSchema, jsonParams, parseParams, SymbolListSchema, startsPeriod } from './common.js';

export const MOMENTUM_ROTATION = 'momentum_rotation';

export const MomentumRotationParamsSchema = z.strictObject({
  lookback: z.int().min(1).default(126).describe('Trailing return window in bars (126 ≈ 6 months)'),
  skip: z
    .int()
    .min(0)
    .default(0)
    .describe(
      'Most recent bars left out of the return (21 gives the classic 12-1 momentum with lookback 231)',
    ),
  topN: z.int().min(1).default(5).describe('How many symbols to hold'),
  symbols: SymbolListSchema,
  cashBuffer: CashBufferSchema,
});

export type MomentumRotationParams = z.input<typeof MomentumRotationParamsSchema>;

/**
 * Momentum rotation, rebalanced monthly: at the first close of each calendar month, rank the symbols
 * that traded that day and have enough history by their trailing return
 * close[t−skip] ÷ close[t−skip−lookback] − 1 (ties by symbol), hold the top N in equal slots of
 * (1 − cashBuffer) ÷ N of equity and sell everything else.
 */
export function momentumRotation(input: MomentumRotationParams = {}): Strategy {
  const p = parseParams(MomentumRotationParamsSchema, MOMENTUM_ROTATION, input);
  return {
    name: MOMENTUM_ROTATION,
    params: jsonParams(p),
    decide({ market, portfolio }) {
      if (!startsPeriod(market.date, market.previousDate, 'month')) return undefined;
      const ranked = (p.symbols ?? market.symbols)
        .filter((s) => market.tradedToday(s) && market.history(s).length > p.lookback + p.skip)
        .map((symbol) => {
          const closes = market.history(symbol).close;
          const end = closes.length - 1 - p.skip;
          return { symbol, momentum: closes[end]! / closes[end - p.lookback]! - 1 };
        })
        .sort((a, b) => b.momentum - a.momentum || (a.symbol < b.symbol ? -1 : 1));
      if (ranked.length === 0) return undefined;
      const targets: Record<string, number> = {};
      for (const position of portfolio.positions) targets[position.symbol] = 0;
      for (const { symbol } of ranked.slice(0, p.topN)) targets[symbol] = (1 - p.cashBuffer) / p.topN;
      return { targets };
    },
  };
}
