import { z } from 'zod';
import { BacktestError } from '../errors.js';
import type { Strategy } from '../strategy.js';
import { MA_CROSSOVER, movingAverageCrossover } from './ma-crossover.js';
import { MOMENTUM_ROTATION, momentumRotation } from './momentum-rotation.js';
import { RSI_MEAN_REVERSION, rsiMeanReversion } from './rsi-mean-reversion.js';
import { TARGET_WEIGHTS, targetWeights } from './target-weights.js';

export * from './ma-crossover.js';
export * from './momentum-rotation.js';
export * from './rsi-mean-reversion.js';
export * from './target-weights.js';

const BUILT_INS = {
  [MA_CROSSOVER]: movingAverageCrossover,
  [RSI_MEAN_REVERSION]: rsiMeanReversion,
  [MOMENTUM_ROTATION]: momentumRotation,
  [TARGET_WEIGHTS]: targetWeights,
} as const satisfies Record<string, (params: never) => Strategy>;

export type BuiltInStrategyName = keyof typeof BUILT_INS;

/** A built-in strategy by name with its parameters (each factory validates its own): what a tool takes. */
export const StrategySpecSchema = z.strictObject({
  name: z.enum(Object.keys(BUILT_INS) as [BuiltInStrategyName, ...BuiltInStrategyName[]]),
  params: z.record(z.string(), z.unknown()).default({}),
});

export type StrategySpec = z.input<typeof StrategySpecSchema>;

/** The built-in strategy a spec names, its parameters validated (`invalid_input` otherwise). */
export function strategyFromSpec(spec: StrategySpec): Strategy {
  const parsed = StrategySpecSchema.safeParse(spec);
  if (!parsed.success) {
    const names = Object.keys(BUILT_INS).join(', ');
    throw new BacktestError('invalid_input', `Unknown strategy spec (built-ins: ${names})`, {
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    });
  }
  const factory = BUILT_INS[parsed.data.name] as (params: unknown) => Strategy;
  return factory(parsed.data.params);
}
