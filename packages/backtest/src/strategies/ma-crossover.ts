import { mean } from '@stockpulse/quant';
import { z } from 'zod';
import type { Strategy } from '../strategy.js';
import { CashBufferSchema, jsonParams, parseParams, SymbolListSchema } from './common.js';

export const MA_CROSSOVER = 'ma_crossover';

export const MovingAverageCrossoverParamsSchema = z
  .strictObject({
    fast: z.int().min(1).default(50).describe('Fast simple moving average, in bars'),
    slow: z.int().min(2).default(200).describe('Slow simple moving average, in bars'),
    symbols: SymbolListSchema,
    cashBuffer: CashBufferSchema,
  })
  .refine((p) => p.fast < p.slow, { message: 'fast must be shorter than slow', path: ['fast'] });

export type MovingAverageCrossoverParams = z.input<typeof MovingAverageCrossoverParamsSchema>;

/**
 * Long-only moving-average crossover: hold a symbol while its fast SMA of closes is above its slow
 * SMA, flat otherwise. Each symbol is one equal slot of (1 − cashBuffer) ÷ n of equity, bought when
 * the fast average is above the slow one (on the first bar with both averages too, not only on a
 * cross) and sold when it is at or below. A symbol without a bar today is left alone.
 */
export function movingAverageCrossover(input: MovingAverageCrossoverParams = {}): Strategy {
  const p = parseParams(MovingAverageCrossoverParamsSchema, MA_CROSSOVER, input);
  return {
    name: MA_CROSSOVER,
    params: jsonParams(p),
    decide({ market, portfolio }) {
      const symbols = p.symbols ?? market.symbols;
      const weight = (1 - p.cashBuffer) / symbols.length;
      const targets: Record<string, number> = {};
      for (const symbol of symbols) {
        if (!market.tradedToday(symbol)) continue;
        const closes = market.history(symbol).close;
        if (closes.length < p.slow) continue;
        // The SMA at the latest bar is the mean of the last n closes (quant's `sma` definition).
        const fast = mean(closes.slice(-p.fast));
        const slow = mean(closes.slice(-p.slow));
        const held = portfolio.quantity(symbol) > 0;
        if (fast > slow && !held) targets[symbol] = weight;
        else if (fast <= slow && held) targets[symbol] = 0;
      }
      return Object.keys(targets).length > 0 ? { targets } : undefined;
    },
  };
}
