import { rsi } from '@stockpulse/quant';
import { z } from 'zod';
import type { Strategy } from '../strategy.js';
import { CashBufferSchema, jsonParams, parseParams, SymbolListSchema } from './common.js';

export const RSI_MEAN_REVERSION = 'rsi_mean_reversion';

export const RsiMeanReversionParamsSchema = z
  .strictObject({
    period: z.int().min(2).default(14).describe("RSI period (Wilder's smoothing)"),
    entryBelow: z.number().gt(0).lt(100).default(30).describe('Buy when the RSI closes below this'),
    exitAbove: z
      .number()
      .gt(0)
      .lt(100)
      .default(50)
      .describe('Sell when the RSI closes above this (50 or 70)'),
    window: z
      .int()
      .min(3)
      .default(250)
      .describe(
        'Closes the RSI is computed over (the latest ones): Wilder smoothing forgets older bars, so a bounded window keeps each decision O(window)',
      ),
    symbols: SymbolListSchema,
    cashBuffer: CashBufferSchema,
  })
  .refine((p) => p.entryBelow < p.exitAbove, {
    message: 'entryBelow must be below exitAbove',
    path: ['entryBelow'],
  })
  .refine((p) => p.window > p.period, { message: 'window must be longer than period', path: ['window'] });

export type RsiMeanReversionParams = z.input<typeof RsiMeanReversionParamsSchema>;

/**
 * Long-only RSI mean reversion: buy a symbol (one equal slot of (1 − cashBuffer) ÷ n of equity) when
 * its RSI closes below `entryBelow` (30), sell all of it when the RSI closes above `exitAbove` (50;
 * 70 holds for a full rebound). RSI from `@stockpulse/quant` (TA-Lib's Wilder RSI, seeded with simple
 * averages) over the last `window` closes.
 */
export function rsiMeanReversion(input: RsiMeanReversionParams = {}): Strategy {
  const p = parseParams(RsiMeanReversionParamsSchema, RSI_MEAN_REVERSION, input);
  return {
    name: RSI_MEAN_REVERSION,
    params: jsonParams(p),
    decide({ market, portfolio }) {
      const symbols = p.symbols ?? market.symbols;
      const weight = (1 - p.cashBuffer) / symbols.length;
      const targets: Record<string, number> = {};
      for (const symbol of symbols) {
        if (!market.tradedToday(symbol)) continue;
        const closes = market.history(symbol).close;
        if (closes.length <= p.period) continue;
        const value = rsi(closes.slice(-p.window), p.period).at(-1)!;
        const held = portfolio.quantity(symbol) > 0;
        if (!held && value < p.entryBelow) targets[symbol] = weight;
        else if (held && value > p.exitAbove) targets[symbol] = 0;
      }
      return Object.keys(targets).length > 0 ? { targets } : undefined;
    },
  };
}
