import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { dayNumber } from '../analytics/dates.js';
import { AccountingError } from './errors.js';
import type { AccountEvent } from './types.js';

/** An event validated into exact decimals, dated by when it takes effect (a dividend by its ex-date). */
export type Step =
  | {
      kind: 'trade';
      index: number;
      date: string;
      symbol: string;
      delta: Decimal;
      price: Decimal;
      commission: Decimal;
    }
  | {
      kind: 'split';
      index: number;
      date: string;
      symbol: string;
      from: Decimal;
      to: Decimal;
      cashInLieuPrice?: Decimal;
    }
  | { kind: 'dividend'; index: number; date: string; symbol: string; payDate: string; amount: Decimal };

/** Same-day order: a split reprices the day, then the ex-date entitlement, then that day's trades. */
const SAME_DAY_RANK = { split: 0, dividend: 1, trade: 2 } as const;

export function compareSteps(a: Step, b: Step): number {
  return a.date.localeCompare(b.date) || SAME_DAY_RANK[a.kind] - SAME_DAY_RANK[b.kind] || a.index - b.index;
}

/** Validate the events and require their effective dates never to go backwards. */
export function toSteps(events: readonly AccountEvent[]): Step[] {
  const steps = events.map(toStep);
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]!.date < steps[i - 1]!.date) {
      throw new AccountingError(
        'unordered_events',
        `Events must be chronological: event ${i} (${steps[i]!.date}) comes after ${steps[i - 1]!.date}`,
        { eventIndex: i },
      );
    }
  }
  return steps;
}

/** An ISO 'YYYY-MM-DD' date, or an `invalid_event` error naming the field. */
export function isoDate(value: unknown, field: string, context: Record<string, unknown> = {}): string {
  try {
    dayNumber(String(value));
    return String(value);
  } catch {
    throw new AccountingError(
      'invalid_event',
      `${field} must be an ISO date (YYYY-MM-DD), got ${String(value)}`,
      context,
    );
  }
}

/** A finite decimal, > 0 or ≥ 0, or an `invalid_event` error naming the field. */
export function decimalAmount(
  value: Decimal.Value | undefined,
  field: string,
  min: 'positive' | 'non-negative',
  context: Record<string, unknown> = {},
): Decimal {
  let d: Decimal | undefined;
  try {
    d = money(value ?? 0);
  } catch {}
  if (!d?.isFinite() || (min === 'positive' ? !d.gt(0) : d.isNegative())) {
    throw new AccountingError(
      'invalid_event',
      `${field} must be a ${min} number, got ${String(value)}`,
      context,
    );
  }
  return d;
}

function toStep(event: AccountEvent, index: number): Step {
  const context = { eventIndex: index, event };
  const fail = (message: string): never => {
    throw new AccountingError('invalid_event', `Event ${index}: ${message}`, context);
  };
  const date = (value: unknown, field: string) => isoDate(value, `Event ${index}: ${field}`, context);
  const amount = (value: Decimal.Value | undefined, field: string, min: 'positive' | 'non-negative') =>
    decimalAmount(value, `Event ${index}: ${field}`, min, context);
  const symbol = typeof event.symbol === 'string' ? event.symbol.trim().toUpperCase() : '';
  if (!symbol) fail('symbol is required');

  switch (event.type) {
    case 'buy':
    case 'sell': {
      const quantity = amount(event.quantity, 'quantity', 'positive');
      return {
        kind: 'trade',
        index,
        date: date(event.date, 'date'),
        symbol,
        delta: event.type === 'buy' ? quantity : quantity.neg(),
        price: amount(event.price, 'price', 'non-negative'),
        commission: amount(event.commission, 'commission', 'non-negative'),
      };
    }
    case 'split':
      return {
        kind: 'split',
        index,
        date: date(event.date, 'date'),
        symbol,
        from: amount(event.from, 'from', 'positive'),
        to: amount(event.to, 'to', 'positive'),
        ...(event.cashInLieuPrice === undefined
          ? {}
          : { cashInLieuPrice: amount(event.cashInLieuPrice, 'cashInLieuPrice', 'non-negative') }),
      };
    case 'dividend': {
      const exDate = date(event.exDate, 'exDate');
      const payDate = date(event.payDate, 'payDate');
      if (payDate < exDate) fail(`payDate ${payDate} is before exDate ${exDate}`);
      return {
        kind: 'dividend',
        index,
        date: exDate,
        symbol,
        payDate,
        amount: amount(event.amountPerShare, 'amountPerShare', 'non-negative'),
      };
    }
    default:
      return fail(`unknown event type ${String((event as { type?: unknown }).type)}`);
  }
}
