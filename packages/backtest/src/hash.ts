import { createHash } from 'node:crypto';
import type { DailyBar } from '@stockpulse/domain';

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, o[k]]),
    );
  });
}

/** SHA-256 (hex) of every bar, symbols sorted, one `symbol,date,open,high,low,close,volume` line each. */
export function barsDigest(bars: ReadonlyMap<string, readonly DailyBar[]>): string {
  const hash = createHash('sha256');
  for (const symbol of [...bars.keys()].sort()) {
    const lines = bars
      .get(symbol)!
      .map((b) => `${symbol},${b.date},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`);
    hash.update(lines.join(''));
  }
  return hash.digest('hex');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
