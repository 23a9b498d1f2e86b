/**
 * The NYSE trading calendar: weekdays less the exchange's full-day holidays (rules as published by
 * NYSE since 2022, Juneteenth included) and one-off closures. Dates are ISO 'YYYY-MM-DD' strings in
 * exchange time (America/New_York); regular session 09:30–16:00.
 */
const ONE_OFF_CLOSURES = new Set(['2025-01-09']); // national day of mourning (President Carter)

const iso = (y: number, m: number, d: number) =>
  `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

function utc(dateIso: string): Date {
  return new Date(`${dateIso}T00:00:00Z`);
}

export function addDays(dateIso: string, n: number): string {
  const d = utc(dateIso);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

function weekday(dateIso: string): number {
  return utc(dateIso).getUTCDay();
}

/** n-th (1-based) given weekday of a month; n = -1 for the last. */
function nthWeekday(y: number, m: number, dow: number, n: number): string {
  if (n > 0) {
    const first = new Date(Date.UTC(y, m - 1, 1)).getUTCDay();
    return iso(y, m, 1 + ((dow - first + 7) % 7) + (n - 1) * 7);
  }
  const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const last = new Date(Date.UTC(y, m - 1, lastDay)).getUTCDay();
  return iso(y, m, lastDay - ((last - dow + 7) % 7));
}

/** Gregorian Easter Sunday (anonymous algorithm). */
function easter(y: number): string {
  const a = y % 19;
  const b = Math.floor(y / 100);
  const c = y % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return iso(y, month, day);
}

/** Saturday holidays move to Friday, Sunday ones to Monday. */
function observed(dateIso: string): string {
  const dow = weekday(dateIso);
  if (dow === 6) return addDays(dateIso, -1);
  if (dow === 0) return addDays(dateIso, 1);
  return dateIso;
}

const holidayCache = new Map<number, Set<string>>();

export function nyseHolidays(year: number): Set<string> {
  const hit = holidayCache.get(year);
  if (hit) return hit;
  const days = [
    nthWeekday(year, 1, 1, 3), // Martin Luther King Jr. Day
    nthWeekday(year, 2, 1, 3), // Washington's Birthday
    addDays(easter(year), -2), // Good Friday
    nthWeekday(year, 5, 1, -1), // Memorial Day
    observed(iso(year, 7, 4)),
    nthWeekday(year, 9, 1, 1), // Labor Day
    nthWeekday(year, 11, 4, 4), // Thanksgiving
    observed(iso(year, 12, 25)),
  ];
  if (year >= 2022) days.push(observed(iso(year, 6, 19)));
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule 7.2).
  const ny = iso(year, 1, 1);
  if (weekday(ny) !== 6) days.push(observed(ny));
  const set = new Set(days);
  holidayCache.set(year, set);
  return set;
}

export function isTradingDay(dateIso: string): boolean {
  const dow = weekday(dateIso);
  if (dow === 0 || dow === 6) return false;
  return !nyseHolidays(Number(dateIso.slice(0, 4))).has(dateIso) && !ONE_OFF_CLOSURES.has(dateIso);
}

/** Trading days from `from` to `to`, both inclusive. */
export function tradingDays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) if (isTradingDay(d)) out.push(d);
  return out;
}

// One formatter for the process: building an Intl.DateTimeFormat costs ~80 µs, using one ~10 µs.
const NEW_YORK = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** Exchange-local date and minutes since midnight for an instant. */
export function exchangeTime(at: Date): { date: string; minutes: number } {
  const parts = NEW_YORK.formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return {
    date: `${get('year')}-${get('month')}-${get('day')}`,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  };
}

export const MARKET_OPEN_MINUTES = 9 * 60 + 30;
export const MARKET_CLOSE_MINUTES = 16 * 60;

/** The latest trading day whose regular session has closed at `at`. */
export function lastClosedTradingDay(at: Date = new Date()): string {
  const { date, minutes } = exchangeTime(at);
  let d = isTradingDay(date) && minutes >= MARKET_CLOSE_MINUTES ? date : addDays(date, -1);
  while (!isTradingDay(d)) d = addDays(d, -1);
  return d;
}

export function isMarketOpen(at: Date = new Date()): boolean {
  const { date, minutes } = exchangeTime(at);
  return isTradingDay(date) && minutes >= MARKET_OPEN_MINUTES && minutes < MARKET_CLOSE_MINUTES;
}

/** Early (13:00) closes end the session three hours early. */
export const EARLY_CLOSE_MINUTES = 13 * 60;

const earlyCloseCache = new Map<number, Set<string>>();

/**
 * NYSE 13:00 early closes: July 3 when it falls Monday–Thursday (Independence Day on a weekday after
 * it), the day after Thanksgiving, and Christmas Eve when it falls Monday–Thursday.
 */
export function nyseEarlyCloses(year: number): Set<string> {
  const hit = earlyCloseCache.get(year);
  if (hit) return hit;
  const days = [addDays(nthWeekday(year, 11, 4, 4), 1)];
  for (const d of [iso(year, 7, 3), iso(year, 12, 24)]) if (weekday(d) >= 1 && weekday(d) <= 4) days.push(d);
  const set = new Set(days.filter(isTradingDay));
  earlyCloseCache.set(year, set);
  return set;
}

/** Minutes after midnight (New York) at which a trading day's regular session closes. */
export function sessionCloseMinutes(dateIso: string): number {
  return nyseEarlyCloses(Number(dateIso.slice(0, 4))).has(dateIso)
    ? EARLY_CLOSE_MINUTES
    : MARKET_CLOSE_MINUTES;
}

/** The instant a New York wall-clock time (minutes after midnight) occurs on a date. */
export function exchangeInstant(dateIso: string, minutes: number): Date {
  const wallClock = Date.parse(`${dateIso}T00:00:00Z`) + minutes * 60_000;
  // New York is UTC−4 in daylight time and UTC−5 in standard time.
  for (const offsetHours of [4, 5]) {
    const at = new Date(wallClock + offsetHours * 3_600_000);
    const local = exchangeTime(at);
    if (local.date === dateIso && local.minutes === minutes) return at;
  }
  throw new RangeError(`${dateIso} +${minutes} min does not exist in New York`);
}
