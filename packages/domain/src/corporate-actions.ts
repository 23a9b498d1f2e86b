import { addDays, isTradingDay } from './calendar.js';
import { DEMO_HOLDINGS } from './demo.js';
import { money } from './money.js';
import { hash32, rng } from './random.js';
import type { Company } from './universe.js';

/**
 * Corporate actions of the simulated market: quarterly cash dividends and occasional forward
 * splits. The simulated tape is raw (unadjusted), like a real one:
 *
 * - **Dividend**: on the ex-date the day starts from the previous close less the dividend, so the
 *   open, high, low and close all drop by it (then the day's return applies). Holders of the shares
 *   when the ex-date opens are paid `amount` per share on `payDate`.
 * - **Split** `ratio`-for-1: from the ex-date, prices are divided by `ratio` and volume multiplied
 *   by it; holders get `ratio` shares for each one held when the ex-date opens, at the same total
 *   cost. No cash changes hands (whole-number ratios: nothing to pay in lieu).
 *
 * Which companies pay (`dividendPolicy`) depends on the symbol only; yields and dates on the seed.
 * Splits follow `SPLIT_RULE`, never for the demo account's holdings (`DEMO_HOLDINGS`), so the demo
 * portfolio's quantities stay as seeded and anyone can value it from the simulator alone.
 */

export interface DividendAction {
  symbol: string;
  kind: 'dividend';
  /** First trading day without the dividend: buyers from this day's open are not entitled. */
  exDate: string;
  /** Trading day the cash is paid. */
  payDate: string;
  /** Dollars per share, exact decimal ('0.24', '0.0833'). */
  amount: string;
}

export interface SplitAction {
  symbol: string;
  kind: 'split';
  /** First trading day on the new basis. */
  exDate: string;
  /** New shares per old share (forward split: 2, 3, 4, 5 or 10). */
  ratio: number;
  /** Trading day the split was announced (its trigger close). */
  announcedOn: string;
}

export type CorporateAction = DividendAction | SplitAction;

/** Share of non-anchor companies that pay, and their annual yield range, by GICS sector. */
const SECTOR_DIVIDENDS: Record<string, { payers: number; yield: [number, number] }> = {
  Utilities: { payers: 1, yield: [0.025, 0.04] },
  'Real Estate': { payers: 1, yield: [0.025, 0.04] },
  Energy: { payers: 0.9, yield: [0.02, 0.04] },
  'Consumer Staples': { payers: 0.95, yield: [0.015, 0.035] },
  Financials: { payers: 0.85, yield: [0.015, 0.035] },
  Materials: { payers: 0.85, yield: [0.015, 0.03] },
  Industrials: { payers: 0.8, yield: [0.01, 0.025] },
  'Health Care': { payers: 0.6, yield: [0.01, 0.03] },
  'Communication Services': { payers: 0.5, yield: [0.005, 0.02] },
  'Consumer Discretionary': { payers: 0.5, yield: [0.005, 0.02] },
  'Information Technology': { payers: 0.6, yield: [0.005, 0.015] },
};
const OTHER_SECTOR = { payers: 0.6, yield: [0.01, 0.025] as [number, number] };

/** Well-known names that pay no cash dividend (as in early 2024); the other anchors pay. */
const NON_PAYERS = new Set(['AMZN', 'TSLA', 'BRK.B', 'AMD', 'ADBE', 'NFLX', 'BA']);
const KNOWN_PAYERS = new Set([
  'AAPL',
  'MSFT',
  'NVDA',
  'GOOGL',
  'GOOG',
  'META',
  'JPM',
  'V',
  'MA',
  'UNH',
  'JNJ',
  'XOM',
  'CVX',
  'PG',
  'HD',
  'KO',
  'PEP',
  'AVGO',
  'INTC',
  'CSCO',
  'ORCL',
  'CRM',
  'COST',
  'WMT',
  'DIS',
  'BAC',
  'WFC',
  'GS',
  'MS',
  'LLY',
  'MRK',
  'PFE',
  'ABBV',
  'TMO',
  'QCOM',
  'TXN',
  'MU',
  'AMAT',
  'LRCX',
  'KLAC',
  'IBM',
  'CAT',
  'GE',
  'NKE',
]);

export interface DividendPolicy {
  /** Target annual yield (0.005–0.04). */
  annualYield: number;
  /** Ex-dates in months m, m+3, m+6, m+9 (m in 1–3)… */
  firstMonth: number;
  /** …on the first trading day on or after this day of the month (3–22)… */
  exDay: number;
  /** …paid on the first trading day at least this many calendar days later (10–30). */
  payLagDays: number;
}

/**
 * Whether and how a company pays: the anchors as in reality (early 2024), every other company
 * by a hash of its symbol against its sector's share of payers. Yield and calendar from the seed.
 */
export function dividendPolicy(seed: number, company: Company): DividendPolicy | null {
  const sector = SECTOR_DIVIDENDS[company.sector] ?? OTHER_SECTOR;
  const pays = KNOWN_PAYERS.has(company.symbol)
    ? true
    : NON_PAYERS.has(company.symbol)
      ? false
      : hash32('dividend-payer', company.symbol) / 2 ** 32 < sector.payers;
  if (!pays) return null;
  const u = rng(hash32(seed, 'dividend-policy', company.symbol));
  const [lo, hi] = sector.yield;
  return {
    annualYield: lo + (hi - lo) * u(),
    firstMonth: 1 + Math.floor(u() * 3),
    exDay: 3 + Math.floor(u() * 20),
    payLagDays: 10 + Math.floor(u() * 21),
  };
}

function tradingDayOnOrAfter(date: string): string {
  let d = date;
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** The quarterly ex-dates (with pay dates) of a policy in the given calendar years. */
export function dividendCalendar(
  policy: DividendPolicy,
  fromYear: number,
  toYear: number,
): Array<{ exDate: string; payDate: string }> {
  const out: Array<{ exDate: string; payDate: string }> = [];
  for (let y = fromYear; y <= toYear; y++) {
    for (let m = policy.firstMonth; m <= 12; m += 3) {
      const exDate = tradingDayOnOrAfter(
        `${y}-${String(m).padStart(2, '0')}-${String(policy.exDay).padStart(2, '0')}`,
      );
      out.push({ exDate, payDate: tradingDayOnOrAfter(addDays(exDate, policy.payLagDays)) });
    }
  }
  return out;
}

/**
 * Dividend amounts: each calendar year's first ex-date sets the quarterly amount to the target
 * yield on the previous close ÷ 4, in cents (at least $0.01), never below last year's (companies
 * rarely cut); a split divides it by the ratio (to $0.0001). A quarter whose amount would exceed
 * 5 % of the previous close is skipped (suspended), which keeps prices positive.
 */
export const DIVIDEND_RULE = { minCents: 1, maxShareOfPrice: 0.05 } as const;

/**
 * Forward splits: announced at a close at or above both `minPrice` and `multiple` × the reference
 * price (the first simulated price, or the price on the last split's ex-date); effective
 * `noticeDays` trading days later. The ratio is the one of `ratios` that brings that announcement
 * close nearest to `targetPrice` (in log terms). Never for `DEMO_HOLDINGS`.
 */
export const SPLIT_RULE = {
  minPrice: 300,
  multiple: 2.5,
  noticeDays: 20,
  targetPrice: 150,
  ratios: [2, 3, 4, 5, 10],
} as const;

const NEVER_SPLIT = new Set(DEMO_HOLDINGS.map((h) => h.symbol));

export function maySplit(symbol: string): boolean {
  return !NEVER_SPLIT.has(symbol);
}

export function splitRatioFor(price: number): number {
  let best: number = SPLIT_RULE.ratios[0];
  for (const r of SPLIT_RULE.ratios) {
    const distance = Math.abs(Math.log(price / r / SPLIT_RULE.targetPrice));
    if (distance < Math.abs(Math.log(price / best / SPLIT_RULE.targetPrice))) best = r;
  }
  return best;
}

/** A dividend amount in ten-thousandths of a dollar as its exact decimal string, at least two places. */
export function dividendAmountString(tenThousandths: number): string {
  const amount = money(tenThousandths).div(10_000);
  return amount.toFixed(Math.max(2, amount.decimalPlaces()));
}
