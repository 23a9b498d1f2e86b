import { MarketDataError, type MarketDataErrorCode, RateLimitedError } from './errors.js';

export interface HttpOptions {
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Clock for reset-time headers (ms since epoch). */
  now: () => number;
}

const DEFAULT_RETRY_AFTER_SECONDS = 60;

/**
 * GET a JSON document and map HTTP failures to MarketDataError. Messages name the path only:
 * query strings can hold API keys.
 */
export async function getJson(provider: string, url: URL, options: HttpOptions): Promise<unknown> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    throw new MarketDataError(
      'unavailable',
      `${provider} unreachable (${url.pathname}): ${(err as Error).message}`,
      provider,
    );
  }
  if (response.status === 429) {
    throw new RateLimitedError(provider, retryAfterSeconds(response.headers, options.now()));
  }
  if (!response.ok) {
    throw new MarketDataError(
      codeFor(response.status),
      `${provider} answered HTTP ${response.status} for ${url.pathname}`,
      provider,
      {
        status: response.status,
        body: text.slice(0, 300),
      },
    );
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MarketDataError(
      'bad_response',
      `${provider} sent a body that is not JSON for ${url.pathname}`,
      provider,
      {
        body: text.slice(0, 300),
      },
    );
  }
}

function codeFor(status: number): MarketDataErrorCode {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not_found';
  return status >= 500 ? 'unavailable' : 'bad_response';
}

/** Seconds to wait: Retry-After (seconds or HTTP date), else an X-RateLimit-Reset epoch, else 60. */
export function retryAfterSeconds(headers: Headers, nowMs: number): number {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = /^\d+$/.test(retryAfter) ? Number(retryAfter) : (Date.parse(retryAfter) - nowMs) / 1000;
    if (Number.isFinite(seconds)) return Math.max(1, Math.ceil(seconds));
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (reset > 0) return Math.max(1, Math.ceil(reset - nowMs / 1000));
  return DEFAULT_RETRY_AFTER_SECONDS;
}

/** base + path, keeping any path the base has ('https://finnhub.io/api/v1' + '/quote'). */
export function endpoint(base: string, path: string): URL {
  return new URL(base.replace(/\/+$/, '') + path);
}

/** A required field of a provider's JSON, or a `bad_response` error. */
export function badShape(
  provider: string,
  what: string,
  details: Record<string, unknown> = {},
): MarketDataError {
  return new MarketDataError(
    'bad_response',
    `${provider} response is not the documented shape: ${what}`,
    provider,
    details,
  );
}
