import { money } from '@stockpulse/domain';
import type { Decimal } from 'decimal.js';
import { QuantError } from '../errors.js';
import { dayNumber } from './dates.js';

export interface CashFlow {
  /** ISO date 'YYYY-MM-DD'. */
  date: string;
  /** Investor's view, as in a spreadsheet: money put in negative, money taken out (and the final value) positive. */
  amount: Decimal.Value;
}

const TOLERANCE = 1e-12;
/** Rates tried, in order, to bracket a root when Newton's method fails. */
const BRACKET = [-0.999999, -0.99, -0.9, -0.5, -0.2, 0, 0.2, 0.5, 1, 2, 5, 10, 100, 1e3, 1e4, 1e6];

/**
 * Money-weighted return: the annual rate r (XIRR) with Σ amount_i / (1+r)^((d_i − d_0)/365) = 0,
 * d_0 the earliest date, times in days/365 as spreadsheets do. Newton's method from `guess`, falling
 * back to bisection over a bracketing interval when Newton leaves (−1, ∞) or does not converge.
 * Amounts are read exactly; the solver runs in double precision to 1e−12.
 */
export function moneyWeightedReturn(flows: readonly CashFlow[], guess = 0.1): number {
  const amounts = flows.map((f) => money(f.amount).toNumber());
  if (!amounts.some((a) => a > 0) || !amounts.some((a) => a < 0)) {
    throw new QuantError('no_solution', 'XIRR needs at least one negative and one positive cash flow');
  }
  const days = flows.map((f) => dayNumber(f.date));
  const first = Math.min(...days);
  const years = days.map((d) => (d - first) / 365);
  const npv = (rate: number) => amounts.reduce((s, a, i) => s + a * (1 + rate) ** -years[i]!, 0);
  const slope = (rate: number) =>
    amounts.reduce((s, a, i) => s - years[i]! * a * (1 + rate) ** (-years[i]! - 1), 0);

  return newton(npv, slope, guess) ?? bisection(npv);
}

function newton(f: (r: number) => number, df: (r: number) => number, guess: number): number | null {
  let rate = guess;
  for (let i = 0; i < 100; i++) {
    const next = rate - f(rate) / df(rate);
    if (!Number.isFinite(next) || next <= -1) return null;
    if (Math.abs(next - rate) <= TOLERANCE * Math.max(1, Math.abs(next))) return next;
    rate = next;
  }
  return null;
}

function bisection(f: (r: number) => number): number {
  for (let i = 1; i < BRACKET.length; i++) {
    let lo = BRACKET[i - 1]!;
    let hi = BRACKET[i]!;
    let fLo = f(lo);
    if (fLo === 0) return lo;
    if (Math.sign(fLo) === Math.sign(f(hi))) continue;
    while (hi - lo > TOLERANCE * Math.max(1, Math.abs(lo))) {
      const mid = (lo + hi) / 2;
      const fMid = f(mid);
      if (fMid === 0) return mid;
      if (Math.sign(fMid) === Math.sign(fLo)) [lo, fLo] = [mid, fMid];
      else hi = mid;
    }
    return (lo + hi) / 2;
  }
  throw new QuantError('no_solution', 'XIRR did not converge: no rate above −100% sets the NPV to zero');
}
