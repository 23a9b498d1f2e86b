import { z } from 'zod';
import type { Strategy } from '../strategy.js';
import { jsonParams, parseParams, startsPeriod } from './common.js';

export const TARGET_WEIGHTS = 'target_weights';

export const TargetWeightsParamsSchema = z
  .strictObject({
    weights: z
      .record(z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/), z.number().min(0).max(1))
      .refine((w) => Object.keys(w).length > 0, 'give at least one weight')
      .describe('Fraction of equity per symbol; the rest stays in cash'),
    every: z
      .enum(['month', 'quarter', 'year'])
      .nullable()
      .default('month')
      .describe('Rebalance at the first close of each period; null for threshold-only'),
    threshold: z
      .number()
      .gt(0)
      .lt(1)
      .nullable()
      .default(null)
      .describe(
        'Also rebalance when any weight drifts more than this from its target (absolute, 0.05 = 5 points)',
      ),
  })
  .refine((p) => Object.values(p.weights).reduce((s, w) => s + w, 0) <= 1 + 1e-12, {
    message: 'weights must sum to at most 1',
    path: ['weights'],
  })
  .refine((p) => p.every !== null || p.threshold !== null, {
    message: 'give a period (every), a threshold, or both',
    path: ['every'],
  });

export type TargetWeightsParams = z.input<typeof TargetWeightsParamsSchema>;

/**
 * Fixed target weights. Buys into them at the first close where every target symbol has a bar, then
 * rebalances at the first close of each period (`every`), or when a weight drifts more than
 * `threshold` from its target, or both. A rebalance sets every target and sells symbols held outside
 * the targets.
 */
export function targetWeights(input: TargetWeightsParams): Strategy {
  const p = parseParams(TargetWeightsParamsSchema, TARGET_WEIGHTS, input);
  const symbols = Object.keys(p.weights).sort();
  return {
    name: TARGET_WEIGHTS,
    params: jsonParams(p),
    decide({ market, portfolio }) {
      if (!symbols.every((s) => market.tradedToday(s))) return undefined;
      const invested = portfolio.positions.length > 0 || portfolio.openOrders.length > 0;
      const due =
        !invested ||
        (p.every !== null && startsPeriod(market.date, market.previousDate, p.every)) ||
        (p.threshold !== null &&
          symbols.some((s) => Math.abs((portfolio.position(s)?.weight ?? 0) - p.weights[s]!) > p.threshold!));
      if (!due) return undefined;
      const targets: Record<string, number> = {};
      for (const position of portfolio.positions) targets[position.symbol] = 0;
      for (const s of symbols) targets[s] = p.weights[s]!;
      return { targets };
    },
  };
}
