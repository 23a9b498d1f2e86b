import { AppError, type ErrorCode, tracedFetch } from '@stockpulse/core';
import type {
  HeartbeatResponse,
  RegisterRequest,
  RegisterResponse,
  RegistryEntryDetail,
  SearchQuery,
  SearchResult,
} from './schema.js';

export interface RegistryClientOptions {
  /** The `Authorization` header value, e.g. `ServiceTokenSource#authorization` or a user's `Bearer <jwt>`. */
  authorization: () => Promise<string>;
  /** Per request; registering by card URL includes the registry's own card fetch (5 s by default). */
  timeoutMs?: number;
}

/** HTTP client of the agent registry. Failures are `AppError`s carrying the registry's own code. */
export class RegistryClient {
  readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly opts: RegistryClientOptions,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  register(request: RegisterRequest): Promise<RegisterResponse> {
    return this.request('POST', '/v1/agents', request);
  }

  heartbeat(agentId: string): Promise<HeartbeatResponse> {
    return this.request('PUT', `/v1/agents/${encodeURIComponent(agentId)}/heartbeat`);
  }

  /** Remove the agent; one the registry no longer knows counts as removed. */
  async deregister(agentId: string): Promise<void> {
    try {
      await this.request('DELETE', `/v1/agents/${encodeURIComponent(agentId)}`);
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'not_found')) throw e;
    }
  }

  search(query: SearchQuery = {}): Promise<SearchResult> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return this.request('GET', `/v1/agents${qs ? `?${qs}` : ''}`);
  }

  get(agentId: string): Promise<RegistryEntryDetail> {
    return this.request('GET', `/v1/agents/${encodeURIComponent(agentId)}`);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: await this.opts.authorization(),
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = this.opts.timeoutMs ?? 10_000;
    let res: Response;
    try {
      res = await tracedFetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError') {
        throw new AppError('timeout', `Registry at ${this.baseUrl} did not answer within ${timeoutMs} ms`);
      }
      throw new AppError(
        'unavailable',
        `Registry at ${this.baseUrl} is unreachable: ${err.cause?.code ?? err.message}`,
      );
    }
    if (res.status === 204) return undefined as T;
    const payload = (await res.json().catch(() => undefined)) as
      | { error?: { code?: string; message?: string; details?: Record<string, unknown> } }
      | undefined;
    if (!res.ok) {
      const err = payload?.error;
      throw new AppError(
        codeFor(res.status, err?.code),
        err?.message ?? `Registry answered HTTP ${res.status} to ${method} ${path}`,
        { status: res.status, ...err?.details },
      );
    }
    return payload as T;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limited',
  503: 'unavailable',
  504: 'timeout',
};

/** Trust the registry's code when it sent one; a proxy's bare status still maps to something actionable. */
function codeFor(status: number, code: string | undefined): ErrorCode {
  const known = new Set<string>([...Object.values(STATUS_CODES), 'unknown_symbol', 'internal']);
  if (code && known.has(code)) return code as ErrorCode;
  return STATUS_CODES[status] ?? (status === 502 ? 'unavailable' : 'internal');
}
