import { AppError } from '@stockpulse/core';

/**
 * Keyset pagination: a cursor names the last row of a page by its sort key (a timestamp in epoch
 * microseconds, so no precision is lost, and a tiebreaking id). Opaque to callers.
 */
export interface Keyset {
  atMicros: number;
  id: string;
}

export function encodeCursor(k: Keyset): string {
  return Buffer.from(JSON.stringify([k.atMicros, k.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): Keyset | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string')
      return { atMicros: v[0] as number, id: v[1] };
  } catch {
    // fall through
  }
  throw new AppError('bad_request', 'Invalid cursor: pass nextCursor from the previous page unchanged');
}

/** SQL for a timestamptz column as epoch microseconds (int8, read back as a number). */
export const micros = (column: string) => `(extract(epoch FROM ${column}) * 1000000)::int8`;

/** SQL turning a `$n` epoch-microseconds parameter back into a timestamptz, exactly. */
export const fromMicros = (param: string) =>
  `(timestamptz 'epoch' + ${param}::int8 * interval '1 microsecond')`;

/** One page of rows plus the cursor of the next, given rows fetched with LIMIT limit + 1. */
export function page<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => Keyset,
  map: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  return {
    items: shown.map(map),
    nextCursor: rows.length > limit ? encodeCursor(key(shown.at(-1)!)) : null,
  };
}
