/**
 * Why market data could not be had. `invalid_argument` is the caller's fault (HTTP 400);
 * `not_found` a symbol the provider does not know (404); `rate_limited` (429, with
 * `retryAfterSeconds`), `unauthorized` (bad or insufficient key), `bad_response` (not the documented
 * shape, or bars that break the bar rule) and `unavailable` (network, timeout, 5xx) are the
 * provider's (502/503); `all_providers_failed` lists every attempt in `details.attempts`.
 */
export type MarketDataErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'rate_limited'
  | 'unauthorized'
  | 'bad_response'
  | 'unavailable'
  | 'all_providers_failed';

export class MarketDataError extends Error {
  constructor(
    readonly code: MarketDataErrorCode,
    message: string,
    readonly provider: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'MarketDataError';
  }
}

export class RateLimitedError extends MarketDataError {
  constructor(
    provider: string,
    readonly retryAfterSeconds: number,
    message = `${provider} rate limit reached; retry in ${retryAfterSeconds} s`,
  ) {
    super('rate_limited', message, provider, { retryAfterSeconds });
    this.name = 'RateLimitedError';
  }
}
