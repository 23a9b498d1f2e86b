import {
  type CommissionModel,
  DEFAULT_RISK_LIMITS,
  decimalString,
  NO_SLIPPAGE,
  type RiskLimits,
  type SlippageModel,
  ZERO_COMMISSION,
} from '@stockpulse/broker';
import { z } from 'zod';
import { BacktestError } from './errors.js';

export const CommissionModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('zero') }),
  z.strictObject({
    kind: z.literal('per_share'),
    perShare: decimalString('dollars per share'),
    minimum: decimalString('dollars'),
    maxPercentOfNotional: decimalString('a fraction'),
  }),
  z.strictObject({
    kind: z.literal('percent_of_notional'),
    rate: decimalString('a fraction'),
    minimum: decimalString('dollars'),
  }),
]);

export const SlippageModelSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('none') }),
  z.strictObject({ kind: z.literal('fixed_bps'), bps: decimalString('basis points') }),
]);

export const RiskLimitsSchema = z.strictObject({
  maxPositionWeight: decimalString('a fraction').optional(),
  maxOrderNotional: decimalString('dollars').optional(),
  priceCollarPct: decimalString('a fraction').optional(),
  dailyLossLimitPct: decimalString('a fraction').optional(),
});

/** A backtest's parameters other than its data and strategy; parsed once, at the edge. */
export const BacktestOptionsSchema = z.strictObject({
  initialCash: decimalString('dollars').default('100000').describe('Starting cash, all of the equity'),
  commission: CommissionModelSchema.default(ZERO_COMMISSION).describe('Broker commission model'),
  slippage: SlippageModelSchema.default(NO_SLIPPAGE).describe('Slippage on taker fills'),
  participationRate: decimalString('a fraction')
    .default('0.1')
    .describe("Largest share of a bar's volume one order may take (the broker's default, 10%)"),
  riskLimits: RiskLimitsSchema.default({}).describe(
    "Pre-trade limits; unset ones take the broker's defaults",
  ),
  allowShort: z.boolean().default(false),
  riskFreeRate: z
    .number()
    .min(-1)
    .max(1)
    .default(0)
    .describe('Annual risk-free rate for Sharpe, Sortino and alpha, as a fraction; rf per day = rate / 252'),
  costMethod: z
    .enum(['fifo', 'average'])
    .default('fifo')
    .describe('Lot matching for realized P&L and win rate'),
});

export type BacktestOptionsInput = z.input<typeof BacktestOptionsSchema>;

export interface BacktestOptions {
  initialCash: string;
  commission: CommissionModel;
  slippage: SlippageModel;
  participationRate: string;
  riskLimits: RiskLimits;
  allowShort: boolean;
  riskFreeRate: number;
  costMethod: 'fifo' | 'average';
}

/** Parse options, filling every default (risk limits included) so a stored run shows what it used. */
export function parseBacktestOptions(input: unknown): BacktestOptions {
  const parsed = BacktestOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new BacktestError('invalid_input', `Invalid backtest options: ${issues.join('; ')}`, { issues });
  }
  const o = parsed.data;
  const rate = Number(o.participationRate);
  if (!(rate > 0 && rate <= 1)) {
    throw new BacktestError('invalid_input', 'participationRate must be in (0, 1]', {
      participationRate: o.participationRate,
    });
  }
  if (!(Number(o.initialCash) > 0)) throw new BacktestError('invalid_input', 'initialCash must be positive');
  return { ...o, riskLimits: { ...DEFAULT_RISK_LIMITS, ...o.riskLimits } };
}
