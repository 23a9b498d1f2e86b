import type { DailyBar, Quote } from './bars.js';
import type { CachePort } from './cache.js';
import { MarketDataError, RateLimitedError } from './errors.js';
import { type MarketDataProvider, requireRange, requireSymbol } from './provider.js';

export interface FallbackOptions {
  /** Tried in this order. */
  providers: readonly MarketDataProvider[];
  cache?: CachePort;
  /** Seconds to keep answers. Defaults: bars 3600, quotes 15. */
  ttlSeconds?: { bars?: number; quote?: number };
  now?: () => number;
  /** Told when the cache fails; the request then goes to the providers as on a miss. */
  onCacheError?: (error: unknown) => void;
}

export interface ProviderAttempt {
  provider: string;
  code: string;
  message: string;
}

const NAME = 'fallback';

/**
 * A MarketDataProvider over others: the cache first, then each provider in order until one
 * answers. A rate-limited provider is skipped until its retry-after has passed; a failed one is
 * skipped for this request. Caller errors (`invalid_argument`) are not retried elsewhere.
 */
export class FallbackProvider implements MarketDataProvider {
  readonly name = NAME;
  private readonly coolingUntil = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: FallbackOptions) {
    if (options.providers.length === 0)
      throw new MarketDataError('invalid_argument', 'No providers configured', NAME);
    this.now = options.now ?? Date.now;
  }

  async dailyBars(symbol: string, from: string, to: string): Promise<DailyBar[]> {
    const s = requireSymbol(NAME, symbol);
    requireRange(NAME, from, to);
    const ttl = this.options.ttlSeconds?.bars ?? 3600;
    return this.cached(`marketdata:bars:${s}:${from}:${to}`, ttl, (p) => p.dailyBars(s, from, to));
  }

  async latestQuote(symbol: string): Promise<Quote> {
    const s = requireSymbol(NAME, symbol);
    const ttl = this.options.ttlSeconds?.quote ?? 15;
    return this.cached(`marketdata:quote:${s}`, ttl, (p) => p.latestQuote(s));
  }

  private async cached<T>(
    key: string,
    ttlSeconds: number,
    call: (p: MarketDataProvider) => Promise<T>,
  ): Promise<T> {
    const { cache, onCacheError } = this.options;
    const hit = await cache?.get(key).catch((err) => void onCacheError?.(err));
    if (typeof hit === 'string') {
      try {
        return JSON.parse(hit) as T;
      } catch (err) {
        onCacheError?.(err); // a corrupt entry is a miss
      }
    }
    const value = await this.firstAnswer(call);
    await cache?.set(key, JSON.stringify(value), ttlSeconds).catch((err) => onCacheError?.(err));
    return value;
  }

  private async firstAnswer<T>(call: (p: MarketDataProvider) => Promise<T>): Promise<T> {
    const attempts: ProviderAttempt[] = [];
    const waits: number[] = [];
    for (const provider of this.options.providers) {
      const waitMs = (this.coolingUntil.get(provider.name) ?? 0) - this.now();
      if (waitMs > 0) {
        waits.push(waitMs / 1000);
        attempts.push({ provider: provider.name, code: 'rate_limited', message: 'skipped: rate limited' });
        continue;
      }
      try {
        return await call(provider);
      } catch (err) {
        if (err instanceof MarketDataError && err.code === 'invalid_argument') throw err;
        if (err instanceof RateLimitedError) {
          this.coolingUntil.set(provider.name, this.now() + err.retryAfterSeconds * 1000);
          waits.push(err.retryAfterSeconds);
        }
        const code = err instanceof MarketDataError ? err.code : 'unavailable';
        attempts.push({ provider: provider.name, code, message: (err as Error).message });
      }
    }
    if (waits.length === attempts.length) {
      throw new RateLimitedError(NAME, Math.ceil(Math.min(...waits)), 'Every provider is rate limited');
    }
    throw new MarketDataError(
      'all_providers_failed',
      `No provider answered: ${attempts.map((a) => `${a.provider} ${a.code}`).join(', ')}`,
      NAME,
      { attempts },
    );
  }
}
