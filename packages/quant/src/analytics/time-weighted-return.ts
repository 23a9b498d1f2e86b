import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';
import { requireAscending } from './dates.js';
import { requireObservations } from './stats.js';

export interface ValuationDay {
  /** ISO date 'YYYY-MM-DD'. */
  date: string;
  /** Portfolio value at the end of the day (after the day's flow and market move). */
  value: Decimal.Value;
  /** External flow at the start of the day: deposits positive, withdrawals negative. */
  flow?: Decimal.Value;
}

/**
 * Time-weighted return over the days given: daily sub-periods linked geometrically,
 * TWR = Π (1 + r_t) − 1 with r_t = value_t / (value_{t−1} + flow_t) − 1.
 * Conventions: external flows happen at the start of their day, so they earn that day's return;
 * the first day is the opening valuation (its flow is ignored); a day that starts and ends at zero
 * contributes r = 0. Exact decimal arithmetic.
 */
export function timeWeightedReturn(days: readonly ValuationDay[]): Decimal {
  return dailyTimeWeightedReturns(days)
    .reduce((growth, r) => growth.times(r.plus(1)), money(1))
    .minus(1);
}

/** The daily sub-period returns r_t that `timeWeightedReturn` links (one fewer than the days). */
export function dailyTimeWeightedReturns(days: readonly ValuationDay[]): Decimal[] {
  requireObservations(days, 2, 'valuation days');
  requireAscending(days.map((d) => d.date));
  return days.slice(1).map((day, i) => {
    const base = money(days[i]!.value).plus(day.flow ?? 0);
    const end = money(day.value);
    if (base.isZero()) {
      if (end.isZero()) return money(0);
      throw new QuantError('no_solution', `No capital at the start of ${day.date} but a value at its end`, {
        date: day.date,
      });
    }
    return end.div(base).minus(1);
  });
}
