import {
  addDays,
  EARLY_CLOSE_MINUTES,
  exchangeInstant,
  isTradingDay,
  MARKET_OPEN_MINUTES,
  sessionCloseMinutes,
} from '@stockpulse/domain';

/**
 * Regular NYSE sessions (09:30 to 16:00 New York, 13:00 on early-close days) as UTC instants, from the
 * `@stockpulse/domain` calendar. A session always lies inside one UTC calendar day, so the session an
 * instant falls in is found from its UTC date without time-zone arithmetic (cached: matching calls
 * this for every event).
 */
export interface Session {
  date: string;
  openMs: number;
  closeMs: number;
  earlyClose: boolean;
}

/** GTC orders are canceled at the close of the first session at least this many days after creation. */
export const GTC_MAX_AGE_DAYS = 90;

const cache = new Map<string, Session | null>();

/** The session on a date, or null when the exchange is closed that day. */
export function sessionOn(date: string): Session | null {
  const hit = cache.get(date);
  if (hit !== undefined) return hit;
  let session: Session | null = null;
  if (isTradingDay(date)) {
    const close = sessionCloseMinutes(date);
    session = {
      date,
      openMs: exchangeInstant(date, MARKET_OPEN_MINUTES).getTime(),
      closeMs: exchangeInstant(date, close).getTime(),
      earlyClose: close === EARLY_CLOSE_MINUTES,
    };
  }
  cache.set(date, session);
  return session;
}

/** The session in progress at an instant (open inclusive, close exclusive), or null. */
export function sessionAt(ms: number): Session | null {
  const session = sessionOn(new Date(ms).toISOString().slice(0, 10));
  return session && ms >= session.openMs && ms < session.closeMs ? session : null;
}

/** The session in progress at `ms`, or else the next one to open. */
export function currentOrNextSession(ms: number): Session {
  let date = new Date(ms).toISOString().slice(0, 10);
  for (;;) {
    const session = sessionOn(date);
    if (session && ms < session.closeMs) return session;
    date = addDays(date, 1);
  }
}

/** When a DAY (and IOC/FOK) order placed at `ms` expires: the close of the current or next session. */
export function dayOrderExpiry(ms: number): string {
  return new Date(currentOrNextSession(ms).closeMs).toISOString();
}

/** When a GTC order placed at `ms` is canceled: the close of the first session ≥ 90 days later. */
export function gtcOrderExpiry(ms: number): string {
  return new Date(currentOrNextSession(ms + GTC_MAX_AGE_DAYS * 86_400_000).closeMs).toISOString();
}
