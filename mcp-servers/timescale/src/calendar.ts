import {
  addDays,
  exchangeTime,
  isTradingDay,
  MARKET_CLOSE_MINUTES,
  MARKET_OPEN_MINUTES,
} from '@stockpulse/domain';

/**
 * Session times on the NYSE calendar of `@stockpulse/domain` (which decides what a trading day is):
 * instants of New York wall-clock times, the market status at an instant, and a year's closures.
 * Every session is 09:30–16:00 New York; the domain calendar has no early (13:00) closes.
 */
export const EXCHANGE_TIME_ZONE = 'America/New_York';

const MINUTE = 60_000;

/** The instant a New York wall-clock time (minutes after midnight) occurs on a date. */
export function exchangeInstant(date: string, minutes: number): Date {
  const wallClock = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE;
  // New York is UTC−4 in daylight time and UTC−5 in standard time.
  for (const offsetHours of [4, 5]) {
    const at = new Date(wallClock + offsetHours * 60 * MINUTE);
    const local = exchangeTime(at);
    if (local.date === date && local.minutes === minutes) return at;
  }
  throw new RangeError(`${date} +${minutes} min does not exist in New York`);
}

export const sessionOpen = (date: string): Date => exchangeInstant(date, MARKET_OPEN_MINUTES);
export const sessionClose = (date: string): Date => exchangeInstant(date, MARKET_CLOSE_MINUTES);

/** New York local ISO-8601 with its offset, to the minute: `2024-03-28T09:30:00-04:00`. */
export function toExchangeIso(at: Date): string {
  const { date, minutes } = exchangeTime(at);
  const wallClock = Date.parse(`${date}T00:00:00Z`) + minutes * MINUTE;
  const offset = Math.round((wallClock - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE);
  const hhmm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${date}T${hhmm(minutes)}:00${offset < 0 ? '-' : '+'}${hhmm(Math.abs(offset))}`;
}

export function nextTradingDay(date: string): string {
  let d = addDays(date, 1);
  while (!isTradingDay(d)) d = addDays(d, 1);
  return d;
}

/** The `count` trading days ending at `end` (inclusive, `end` must be a trading day), oldest first. */
export function tradingDaysEndingAt(end: string, count: number): string[] {
  const days: string[] = [];
  for (let d = end; days.length < count; d = addDays(d, -1)) if (isTradingDay(d)) days.unshift(d);
  return days;
}

export interface MarketStatus {
  at: string;
  timeZone: typeof EXCHANGE_TIME_ZONE;
  /** New York date and time of `at`. */
  exchangeTime: string;
  isOpen: boolean;
  phase: 'open' | 'pre_open' | 'after_close' | 'closed_today';
  isTradingDay: boolean;
  /** Why today has no session: weekend or the closure's name. */
  closedReason: string | null;
  nextOpen: string;
  nextClose: string;
}

/** Open or closed at `at`, and the next open and close (New York local time with offset). */
export function marketStatus(at: Date): MarketStatus {
  const { date, minutes } = exchangeTime(at);
  const tradingDay = isTradingDay(date);
  const phase: MarketStatus['phase'] = !tradingDay
    ? 'closed_today'
    : minutes < MARKET_OPEN_MINUTES
      ? 'pre_open'
      : minutes < MARKET_CLOSE_MINUTES
        ? 'open'
        : 'after_close';
  const upcoming = phase === 'pre_open' || phase === 'open' ? date : nextTradingDay(date);
  const weekend = [0, 6].includes(new Date(`${date}T00:00:00Z`).getUTCDay());
  return {
    at: at.toISOString(),
    timeZone: EXCHANGE_TIME_ZONE,
    exchangeTime: toExchangeIso(at),
    isOpen: phase === 'open',
    phase,
    isTradingDay: tradingDay,
    closedReason: tradingDay ? null : weekend ? 'Weekend' : closureName(date),
    nextOpen: toExchangeIso(sessionOpen(phase === 'open' ? nextTradingDay(date) : upcoming)),
    nextClose: toExchangeIso(sessionClose(upcoming)),
  };
}

/** Weekdays of a year without a session, named. */
export function closures(year: number): Array<{ date: string; weekday: string; name: string }> {
  const out: Array<{ date: string; weekday: string; name: string }> = [];
  for (let d = `${year}-01-01`; d.startsWith(String(year)); d = addDays(d, 1)) {
    const dow = new Date(`${d}T00:00:00Z`).getUTCDay();
    if (dow === 0 || dow === 6 || isTradingDay(d)) continue;
    out.push({ date: d, weekday: WEEKDAYS[dow]!, name: closureName(d) });
  }
  return out;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/**
 * A label for a weekday the domain calendar closes. The calendar decides *whether* a day is closed;
 * this only recognises which holiday (or observed holiday) it is from its month, day and weekday.
 */
function closureName(date: string): string {
  const [m, d] = [Number(date.slice(5, 7)), Number(date.slice(8, 10))];
  const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
  if ((m === 1 && d <= 2) || (m === 12 && d === 31)) return "New Year's Day";
  if (m === 1 && dow === 1) return 'Martin Luther King Jr. Day';
  if (m === 2 && dow === 1) return "Washington's Birthday";
  if ((m === 3 || m === 4) && dow === 5) return 'Good Friday';
  if (m === 5 && dow === 1) return 'Memorial Day';
  if (m === 6 && d >= 18 && d <= 20) return 'Juneteenth';
  if (m === 7 && d >= 3 && d <= 5) return 'Independence Day';
  if (m === 9 && dow === 1) return 'Labor Day';
  if (m === 11 && dow === 4) return 'Thanksgiving Day';
  if (m === 12 && d >= 24 && d <= 26) return 'Christmas Day';
  return 'Special closure';
}
