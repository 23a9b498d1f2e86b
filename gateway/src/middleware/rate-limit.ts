import { AppError } from '@stockpulse/core';
import type { MiddlewareHandler } from 'hono';

/**
 * Sliding-window rate limit kept in this process (one gateway replica). Keyed by what `key`
 * returns; over the limit answers 429 with Retry-After.
 */
export function rateLimit(opts: {
  windowMs: number;
  max: number;
  key: (c: Parameters<MiddlewareHandler>[0]) => string | Promise<string>;
}): MiddlewareHandler {
  const hits = new Map<string, number[]>();
  const sweep = setInterval(() => {
    const cutoff = Date.now() - opts.windowMs;
    for (const [k, times] of hits) if ((times.at(-1) ?? 0) < cutoff) hits.delete(k);
  }, opts.windowMs);
  sweep.unref();
  return async (c, next) => {
    const key = await opts.key(c);
    const now = Date.now();
    const recent = (hits.get(key) ?? []).filter((t) => t > now - opts.windowMs);
    if (recent.length >= opts.max) {
      c.header('retry-after', String(Math.ceil((recent[0]! + opts.windowMs - now) / 1000)));
      throw new AppError('rate_limited', 'Too many attempts; try again shortly');
    }
    recent.push(now);
    hits.set(key, recent);
    await next();
  };
}
