import { BrokerError } from '../errors.js';
import type { AlpacaConfig } from './config.js';

export type Fetch = typeof fetch;

/** Alpaca's error body: `{ "code": 40310000, "message": "insufficient buying power" }`. */
interface AlpacaErrorBody {
  code?: number;
  message?: string;
}

export interface AlpacaHttp {
  request<T>(
    method: string,
    path: string,
    opts?: { query?: Record<string, string>; body?: unknown },
  ): Promise<T>;
}

/** Authenticated JSON over REST; every non-2xx answer becomes a BrokerError. */
export function alpacaHttp(
  config: AlpacaConfig,
  baseUrl: string,
  fetchImpl: Fetch,
  now: () => Date,
): AlpacaHttp {
  return {
    async request<T>(
      method: string,
      path: string,
      opts: { query?: Record<string, string>; body?: unknown } = {},
    ) {
      const url = new URL(baseUrl + path);
      for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method,
          headers: {
            'APCA-API-KEY-ID': config.keyId,
            'APCA-API-SECRET-KEY': config.secretKey,
            accept: 'application/json',
            ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
          signal: AbortSignal.timeout(config.timeoutMs),
        });
      } catch (e) {
        throw new BrokerError('unavailable', `Alpaca could not be reached: ${(e as Error).message}`);
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      throw alpacaError(res, text, now());
    },
  };
}

function parseBody(text: string): AlpacaErrorBody {
  try {
    const body = JSON.parse(text) as unknown;
    return typeof body === 'object' && body !== null ? (body as AlpacaErrorBody) : {};
  } catch {
    return { message: text.slice(0, 200) || undefined };
  }
}

/** Seconds to wait: Retry-After (seconds or an HTTP date), else X-RateLimit-Reset (Unix seconds). */
export function retryAfterSeconds(headers: Headers, now: Date): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = /^\d+$/.test(retryAfter)
      ? Number(retryAfter)
      : (Date.parse(retryAfter) - now.getTime()) / 1000;
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (reset > 0) return Math.max(0, Math.ceil(reset - now.getTime() / 1000));
  return null;
}

export function alpacaError(res: Response, text: string, now: Date): BrokerError {
  const body = parseBody(text);
  const said = body.message ?? res.statusText ?? 'no message';
  const details = { status: res.status, alpacaCode: body.code ?? null, alpacaMessage: body.message ?? null };
  switch (res.status) {
    case 401:
      return new BrokerError('unauthenticated', `Alpaca rejected the API keys (401): ${said}`, details);
    case 403:
      return new BrokerError('broker_rejected', `Alpaca refused the request (403): ${said}`, details);
    case 404:
      return new BrokerError('not_found', `Alpaca has no such resource (404): ${said}`, details);
    case 422:
      return new BrokerError('invalid_order', `Alpaca could not process the request (422): ${said}`, details);
    case 429: {
      const retry = retryAfterSeconds(res.headers, now);
      return new BrokerError(
        'rate_limited',
        `Alpaca rate limit reached (429)${retry === null ? '' : `: retry after ${retry} s`}`,
        { ...details, retryAfterSeconds: retry },
      );
    }
    default:
      return res.status >= 500
        ? new BrokerError('unavailable', `Alpaca is unavailable (${res.status}): ${said}`, details)
        : new BrokerError('broker_rejected', `Alpaca refused the request (${res.status}): ${said}`, details);
  }
}
