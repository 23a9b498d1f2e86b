import { z } from 'zod';
import { BacktestError } from '../errors.js';
import type { JsonValue } from '../strategy.js';

export const SymbolListSchema = z
  .array(z.string().regex(/^[A-Z][A-Z0-9.-]{0,9}$/, 'must be an upper-case ticker'))
  .min(1)
  .optional()
  .describe("Symbols to trade; default: every symbol in the backtest's bars");

export const CashBufferSchema = z
  .number()
  .min(0)
  .lt(1)
  .default(0.02)
  .describe(
    'Share of equity left in cash so that buys sized at a close can fill at a higher open; each of n slots gets (1 − cashBuffer) ÷ n',
  );

/** Parameters as stored in a result and hashed: optional ones left out rather than undefined. */
export function jsonParams(params: object): Record<string, JsonValue> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as Record<
    string,
    JsonValue
  >;
}

/** The parsed parameters, or `BacktestError('invalid_input')` naming the strategy and every bad field. */
export function parseParams<S extends z.ZodType>(schema: S, name: string, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`);
  throw new BacktestError('invalid_input', `Invalid ${name} parameters: ${issues.join('; ')}`, { issues });
}

/** The calendar period a date falls in, for periodic rebalancing. */
export type RebalancePeriod = 'month' | 'quarter' | 'year';

export function periodKey(date: string, period: RebalancePeriod): string {
  const year = date.slice(0, 4);
  const month = Number(date.slice(5, 7));
  if (period === 'year') return year;
  if (period === 'quarter') return `${year}Q${Math.ceil(month / 3)}`;
  return date.slice(0, 7);
}

/** True on the first bar of a new period (never on the timeline's first bar). */
export function startsPeriod(date: string, previousDate: string | null, period: RebalancePeriod): boolean {
  return previousDate !== null && periodKey(date, period) !== periodKey(previousDate, period);
}
