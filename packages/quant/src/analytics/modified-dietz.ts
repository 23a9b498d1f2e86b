import { money, sum } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';
import { daysBetween } from './dates.js';

export interface ExternalFlow {
  /** ISO date 'YYYY-MM-DD'. */
  date: string;
  /** From the portfolio's view: contributions positive, withdrawals negative. */
  amount: Decimal.Value;
}

export interface DietzInput {
  /** Date of the opening valuation, ISO 'YYYY-MM-DD'. */
  startDate: string;
  /** Date of the closing valuation. */
  endDate: string;
  startValue: Decimal.Value;
  endValue: Decimal.Value;
  flows?: readonly ExternalFlow[];
}

/**
 * Modified Dietz return: (EMV − BMV − ΣF) / (BMV + Σ w_i·F_i), w_i = (CD − D_i)/CD, CD the calendar
 * days from startDate to endDate and D_i the days from startDate to flow i (a flow on startDate weighs
 * 1, one on endDate 0). Flows are signed from the portfolio's view (deposit +), the opposite of XIRR's.
 * Exact decimal arithmetic.
 */
export function modifiedDietz(input: DietzInput): Decimal {
  const { startDate, endDate, flows = [] } = input;
  const periodDays = daysBetween(startDate, endDate);
  if (periodDays <= 0) throw new QuantError('invalid_argument', 'endDate must be after startDate');
  const weighted = flows.map((f) => {
    const elapsed = daysBetween(startDate, f.date);
    if (elapsed < 0 || elapsed > periodDays) {
      throw new QuantError('invalid_argument', `Flow on ${f.date} is outside ${startDate}…${endDate}`);
    }
    return money(f.amount)
      .times(periodDays - elapsed)
      .div(periodDays);
  });
  const gain = money(input.endValue)
    .minus(input.startValue)
    .minus(sum(flows.map((f) => f.amount)));
  const averageCapital = money(input.startValue).plus(sum(weighted));
  if (averageCapital.isZero()) {
    throw new QuantError('no_solution', 'Average capital is zero; the Modified Dietz return is undefined');
  }
  return gain.div(averageCapital);
}
