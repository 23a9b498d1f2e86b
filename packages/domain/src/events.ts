import { addDays, isTradingDay, tradingDays } from './calendar.js';
import { hash32, normal, rng } from './random.js';
import type { Company } from './universe.js';

/**
 * The simulated newswire: company news (quarterly earnings, guidance changes, analyst rating
 * changes) and market-wide macro releases (CPI, FOMC), each moving the price on its day. The
 * simulator adds each event's jump to the day's return; the news corpus is written from the same
 * events, so a big move has the article that caused it. Deterministic in (seed, start); an event
 * never depends on the end date.
 *
 * Sizes are simple returns drawn from a Student-t with 4 degrees of freedom (fat tails) scaled to
 * the σ below, symmetric (so a jump adds no drift), at least 0.2 σ (an event always moves the price
 * its way), capped, and rounded to 0.01 %:
 *
 * | kind     | when                                                            | σ of the jump      | cap  |
 * |----------|-----------------------------------------------------------------|--------------------|------|
 * | earnings | quarterly, a fixed 18–39 days after each quarter end per symbol | 4–6 % (per symbol) | 30 % |
 * | guidance | ~1.5 a year per symbol, never on an earnings day                | 2.5 %              | 15 % |
 * | analyst  | ~4 a year per symbol, never with earnings or guidance           | 1.5 %              | 8 %  |
 * | CPI      | monthly, first session on or after the 10th–13th                | 0.8 % (market)     | 5 %  |
 * | FOMC     | third Wednesday of Jan, Mar, May, Jun, Jul, Sep, Oct, Dec       | 0.7 % (market)     | 5 %  |
 *
 * A macro event's return is added to the market factor, so each stock moves by its beta times it.
 * Company news breaks before the open (the open gaps by the whole jump), CPI at 08:30 (the same),
 * FOMC at 14:00 (no gap: the move comes during the session). Event days trade heavier volume.
 */

export type MarketEventKind = 'earnings' | 'guidance' | 'analyst' | 'macro';
export type AnalystRating = 'Sell' | 'Hold' | 'Buy';

interface EventFields {
  /** Trading day the news hit the tape (ISO date). */
  date: string;
  direction: 'up' | 'down';
  /** Size of the simple return the event added (≥ 0; 0.052 = 5.2 %): to the stock, or to the market factor for macro. */
  magnitude: number;
  headline: string;
}

export interface EarningsEvent extends EventFields {
  kind: 'earnings';
  symbol: string;
  /** Calendar quarter reported, 'Q4 2023'. */
  quarter: string;
  /** EPS versus consensus, percent (positive: a beat). */
  epsSurprisePct: number;
}

export interface GuidanceEvent extends EventFields {
  kind: 'guidance';
  symbol: string;
  change: 'raised' | 'cut';
  fiscalYear: number;
}

export interface AnalystEvent extends EventFields {
  kind: 'analyst';
  symbol: string;
  /** A fictional broker. */
  firm: string;
  action: 'upgrade' | 'downgrade';
  fromRating: AnalystRating;
  toRating: AnalystRating;
}

export interface MacroEvent extends EventFields {
  kind: 'macro';
  symbol: null;
  indicator: 'CPI' | 'FOMC';
  /** The month covered: for CPI the month before the release ('December 2023'), for FOMC the meeting's. */
  period: string;
  /** CPI: cooler (up) or hotter (down) than expected; FOMC: a dovish (up) or hawkish (down) statement. */
  surprise: 'cooler' | 'hotter' | 'dovish' | 'hawkish';
}

export type MarketEvent = EarningsEvent | GuidanceEvent | AnalystEvent | MacroEvent;

/** The documented rates and sizes (see the table above); tests hold the simulation to them. */
export const EVENT_RULES = {
  earnings: { perYear: 4, sigma: [0.04, 0.06], cap: 0.3, lagDays: [18, 39], volumeBoost: 2.5 },
  guidance: { perYear: 1.5, sigma: 0.025, cap: 0.15, volumeBoost: 1.8 },
  analyst: { perYear: 4, sigma: 0.015, cap: 0.08, volumeBoost: 1.4 },
  cpi: { perYear: 12, sigma: 0.008, cap: 0.05, volumeBoost: 1.2 },
  fomc: { perYear: 8, sigma: 0.007, cap: 0.05, volumeBoost: 1.2, months: [1, 3, 5, 6, 7, 9, 10, 12] },
} as const;

/** An event placed on the simulated path: its day index, the log return it adds and how much gaps the open. */
export interface ScheduledEvent<E extends MarketEvent = MarketEvent> {
  t: number;
  event: E;
  /** log(1 + return) added to the day (for macro: to the market factor). */
  logJump: number;
  /** Share of the jump already in the open (1: news before the open, 0: during the session). */
  gapShare: number;
  volumeBoost: number;
}

const FIRMS = [
  'Harbor Point Securities',
  'Northgate Capital Markets',
  'Bluestone Research',
  'Meridian & Vale',
  'Crescent Street Partners',
  'Alder Ridge Advisors',
  'Kestrel Bay Equity Research',
];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * A fat-tailed, symmetric simple return: Student-t(4) scaled to standard deviation `sigma`, at least
 * 0.2 σ in size, capped at `cap`, rounded to 0.0001. The sign is drawn separately by the caller.
 */
function jumpSize(uniform: () => number, sigma: number, cap: number): number {
  const z = normal(uniform);
  const chi2 = z() ** 2 + z() ** 2 + z() ** 2 + z() ** 2;
  const t = z() / Math.sqrt(chi2 / 4); // variance ν/(ν−2) = 2
  const size = Math.min(cap, Math.max(0.2 * sigma, (Math.abs(t) * sigma) / Math.SQRT2));
  return Math.round(size * 10_000) / 10_000;
}

const iso = (y: number, m: number, d: number) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The first trading day on or after a date. */
function tradingDayOnOrAfter(date: string): string {
  let d = date;
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

const QUARTER_ENDS = ['03-31', '06-30', '09-30', '12-31'];

function schedule<E extends MarketEvent>(
  event: E,
  t: number,
  signedReturn: number,
  gapShare: number,
  volumeBoost: number,
): ScheduledEvent<E> {
  return { t, event, logJump: Math.log1p(signedReturn), gapShare, volumeBoost };
}

/**
 * A company's news over the simulated days (`days[0]` is the simulation's start), in date order.
 * Earnings follow a fixed per-symbol pattern; guidance and analyst actions are drawn day by day
 * from a per-symbol stream that advances the same way whatever the end date.
 */
export function companyEvents(seed: number, company: Company, days: readonly string[]): ScheduledEvent[] {
  if (days.length === 0) return [];
  const { symbol, name } = company;
  const index = new Map(days.map((d, t) => [d, t]));
  const params = rng(hash32(seed, 'event-params', symbol));
  const [lagMin, lagMax] = EVENT_RULES.earnings.lagDays;
  const lag = lagMin + Math.floor(params() * (lagMax - lagMin + 1));
  const [sMin, sMax] = EVENT_RULES.earnings.sigma;
  const earningsSigma = sMin + (sMax - sMin) * params();

  const out: ScheduledEvent[] = [];
  const earningsDays = new Set<number>();
  const firstYear = Number(days[0]!.slice(0, 4)) - 1;
  const lastYear = Number(days.at(-1)!.slice(0, 4));
  for (let y = firstYear; y <= lastYear; y++) {
    for (let q = 0; q < 4; q++) {
      const date = tradingDayOnOrAfter(addDays(`${y}-${QUARTER_ENDS[q]}`, lag));
      const t = index.get(date);
      if (t === undefined) continue;
      const quarter = `Q${q + 1} ${y}`;
      const u = rng(hash32(seed, 'earnings', symbol, quarter));
      const up = u() < 0.5;
      const size = jumpSize(u, earningsSigma, EVENT_RULES.earnings.cap);
      const surprise = Math.round(((size / earningsSigma) * 4 + 1 + 2 * u()) * 10) / 10;
      earningsDays.add(t);
      out.push(
        schedule<EarningsEvent>(
          {
            kind: 'earnings',
            symbol,
            date,
            direction: up ? 'up' : 'down',
            magnitude: size,
            headline: `${name} ${quarter} results ${up ? 'beat' : 'miss'} estimates`,
            quarter,
            epsSurprisePct: up ? surprise : -surprise,
          },
          t,
          up ? size : -size,
          1,
          EVENT_RULES.earnings.volumeBoost,
        ),
      );
    }
  }

  // Two uniforms a day, whatever happens, so the stream is the same for every end date.
  const daily = rng(hash32(seed, 'company-news', symbol));
  const pGuidance = EVENT_RULES.guidance.perYear / 252;
  const pAnalyst = EVENT_RULES.analyst.perYear / 252;
  for (let t = 0; t < days.length; t++) {
    const [g, a] = [daily(), daily()];
    if (earningsDays.has(t)) continue;
    const date = days[t]!;
    if (g < pGuidance) {
      const u = rng(hash32(seed, 'guidance', symbol, date));
      const up = u() < 0.5;
      const size = jumpSize(u, EVENT_RULES.guidance.sigma, EVENT_RULES.guidance.cap);
      const fiscalYear = Number(date.slice(0, 4)) + (date.slice(5) >= '10-01' ? 1 : 0);
      out.push(
        schedule<GuidanceEvent>(
          {
            kind: 'guidance',
            symbol,
            date,
            direction: up ? 'up' : 'down',
            magnitude: size,
            headline: `${name} ${up ? 'raises' : 'cuts'} its FY ${fiscalYear} outlook`,
            change: up ? 'raised' : 'cut',
            fiscalYear,
          },
          t,
          up ? size : -size,
          1,
          EVENT_RULES.guidance.volumeBoost,
        ),
      );
    } else if (a < pAnalyst) {
      const u = rng(hash32(seed, 'analyst', symbol, date));
      const up = u() < 0.5;
      const size = jumpSize(u, EVENT_RULES.analyst.sigma, EVENT_RULES.analyst.cap);
      const firm = FIRMS[Math.floor(u() * FIRMS.length)]!;
      const [fromRating, toRating]: [AnalystRating, AnalystRating] = up
        ? u() < 0.7
          ? ['Hold', 'Buy']
          : ['Sell', 'Hold']
        : u() < 0.7
          ? ['Buy', 'Hold']
          : ['Hold', 'Sell'];
      out.push(
        schedule<AnalystEvent>(
          {
            kind: 'analyst',
            symbol,
            date,
            direction: up ? 'up' : 'down',
            magnitude: size,
            headline: `${firm} ${up ? 'upgrades' : 'downgrades'} ${name} to ${toRating}`,
            firm,
            action: up ? 'upgrade' : 'downgrade',
            fromRating,
            toRating,
          },
          t,
          up ? size : -size,
          1,
          EVENT_RULES.analyst.volumeBoost,
        ),
      );
    }
  }
  return out.sort((x, y) => x.t - y.t);
}

/** The market-wide releases over the simulated days, in date order (never two on one day). */
export function macroEvents(seed: number, days: readonly string[]): ScheduledEvent<MacroEvent>[] {
  if (days.length === 0) return [];
  const index = new Map(days.map((d, t) => [d, t]));
  const out: ScheduledEvent<MacroEvent>[] = [];
  const firstYear = Number(days[0]!.slice(0, 4));
  const lastYear = Number(days.at(-1)!.slice(0, 4));
  for (let y = firstYear; y <= lastYear; y++) {
    for (let m = 1; m <= 12; m++) {
      // CPI on the 10th–13th: never the third Wednesday (15th–21st), so never on an FOMC day.
      const cpiDate = tradingDayOnOrAfter(iso(y, m, 10 + (hash32(seed, 'cpi-day', y, m) % 4)));
      const cpiT = index.get(cpiDate);
      if (cpiT !== undefined) {
        const u = rng(hash32(seed, 'macro', 'CPI', cpiDate));
        const up = u() < 0.5;
        const size = jumpSize(u, EVENT_RULES.cpi.sigma, EVENT_RULES.cpi.cap);
        const period = m === 1 ? `December ${y - 1}` : `${MONTHS[m - 2]} ${y}`; // the month before
        out.push(
          schedule<MacroEvent>(
            {
              kind: 'macro',
              symbol: null,
              date: cpiDate,
              direction: up ? 'up' : 'down',
              magnitude: size,
              headline: `${period.split(' ')[0]} CPI comes in ${up ? 'cooler' : 'hotter'} than expected`,
              indicator: 'CPI',
              period,
              surprise: up ? 'cooler' : 'hotter',
            },
            cpiT,
            up ? size : -size,
            1,
            EVENT_RULES.cpi.volumeBoost,
          ),
        );
      }
      if (!(EVENT_RULES.fomc.months as readonly number[]).includes(m)) continue;
      const fomcDate = tradingDayOnOrAfter(thirdWednesday(y, m));
      const fomcT = index.get(fomcDate);
      if (fomcT === undefined) continue;
      const u = rng(hash32(seed, 'macro', 'FOMC', fomcDate));
      const up = u() < 0.5;
      const size = jumpSize(u, EVENT_RULES.fomc.sigma, EVENT_RULES.fomc.cap);
      out.push(
        schedule<MacroEvent>(
          {
            kind: 'macro',
            symbol: null,
            date: fomcDate,
            direction: up ? 'up' : 'down',
            magnitude: size,
            headline: `FOMC statement strikes a ${up ? 'dovish' : 'hawkish'} tone`,
            indicator: 'FOMC',
            period: `${MONTHS[m - 1]} ${y}`,
            surprise: up ? 'dovish' : 'hawkish',
          },
          fomcT,
          up ? size : -size,
          0,
          EVENT_RULES.fomc.volumeBoost,
        ),
      );
    }
  }
  return out.sort((x, y) => x.t - y.t);
}

function thirdWednesday(y: number, m: number): string {
  const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
  return iso(y, m, 1 + ((3 - first + 7) % 7) + 14);
}

/**
 * Every news event from `start` to `end` (trading days, inclusive): macro releases (symbol null)
 * and the companies' news, by date, macro first, then by symbol. The same events the simulator
 * adds to the prices of `simulateDailyBars` with the same options.
 */
export function simulatedEvents(opts: {
  seed: number;
  start: string;
  end: string;
  companies: readonly Company[];
}): MarketEvent[] {
  const days = tradingDays(opts.start, opts.end);
  const all: MarketEvent[] = macroEvents(opts.seed, days).map((s) => s.event);
  for (const c of opts.companies) for (const s of companyEvents(opts.seed, c, days)) all.push(s.event);
  const rank = (e: MarketEvent) => (e.symbol === null ? '' : e.symbol);
  return all.sort((a, b) => a.date.localeCompare(b.date) || rank(a).localeCompare(rank(b)));
}
