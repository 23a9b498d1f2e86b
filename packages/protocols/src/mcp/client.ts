import { AsyncLocalStorage } from 'node:async_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  ErrorCode as JsonRpcCode,
  McpError,
  type ReadResourceResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError, type ErrorCode, type Logger, traceHeaders } from '@stockpulse/core';
import { appErrorFromJsonRpc, appErrorFromToolResult } from './errors.js';
import { MCP_PATH } from './http.js';

export interface McpClientOptions {
  /** Client name sent in `initialize` (e.g. `portfolio-manager`). */
  name: string;
  version?: string;
  /** Base fetch; the client adds `authorization` and `traceparent` on top. Default: global fetch. */
  fetch?: FetchLike;
  /**
   * Credential for requests that belong to no call: opening the session, the server-notification
   * stream, ending the session; also calls made without `authorization`. Typically the service's own
   * token. Without it, the session is opened with the credential of the call that triggered it.
   */
  sessionAuthorization?: () => string | undefined | Promise<string | undefined>;
  /** Per-request timeout; default the SDK's 60 s. */
  timeoutMs?: number;
  logger?: Logger;
}

export interface McpCallOptions {
  /** `Authorization` header for this call's HTTP requests, e.g. the user's delegated `Bearer …`. */
  authorization?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
}

interface Connection {
  client: Client;
  transport: StreamableHTTPClientTransport;
  /** Credential the session was opened with; reused to end it. */
  authorization?: string;
}

/**
 * A StockPulse MCP client: one session per server, opened lazily and reopened if the server lost it
 * (restart, idle eviction), with the credential chosen per call. Each call's `authorization` is held
 * in an AsyncLocalStorage around that call, and the transport's fetch reads it, so concurrent calls
 * for different users share one session yet each HTTP request carries its own user's token.
 * Failures are thrown as `AppError`s: the tool's own code, `unauthenticated`, or `unavailable`.
 */
export class McpToolClient {
  readonly endpoint: URL;
  private readonly callScope = new AsyncLocalStorage<{ authorization?: string }>();
  private connection?: Promise<Connection>;
  private current?: Connection;

  constructor(
    baseUrl: string,
    private readonly opts: McpClientOptions,
  ) {
    this.endpoint = new URL(MCP_PATH, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  }

  /** Call `tool` and return its `structuredContent`; a tool error is thrown as `AppError(code, message)`. */
  async call<T>(tool: string, args: Record<string, unknown> = {}, options: McpCallOptions = {}): Promise<T> {
    return this.withClient(options, async (client) => {
      // The other member of callTool's result union is the 2024-10-07 `toolResult` form, which a
      // 2025-11-25 session never yields.
      const result = (await client.callTool(
        { name: tool, arguments: args },
        undefined,
        this.requestOptions(options),
      )) as CallToolResult;
      if (result.isError) throw appErrorFromToolResult(result);
      if (result.structuredContent !== undefined) return result.structuredContent as T;
      // A server without output schemas: the text block is usually JSON.
      const text = result.content.find((c) => c.type === 'text')?.text ?? '';
      try {
        return JSON.parse(text) as T;
      } catch {
        return text as T;
      }
    });
  }

  async listTools(options: McpCallOptions = {}): Promise<Tool[]> {
    return this.withClient(options, async (client) => {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : undefined, this.requestOptions(options));
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    });
  }

  async readResource(uri: string, options: McpCallOptions = {}): Promise<ReadResourceResult> {
    return this.withClient(options, (client) => client.readResource({ uri }, this.requestOptions(options)));
  }

  /** End the session (HTTP DELETE, best effort) and drop the connection. */
  async close(): Promise<void> {
    const pending = this.connection;
    this.connection = undefined;
    this.current = undefined;
    const conn = await pending?.catch(() => undefined);
    if (!conn) return;
    await this.callScope
      .run({ authorization: conn.authorization }, () => conn.transport.terminateSession())
      .catch(() => undefined);
    await conn.client.close().catch(() => undefined);
  }

  private async withClient<R>(options: McpCallOptions, run: (client: Client) => Promise<R>): Promise<R> {
    return this.callScope.run({ authorization: options.authorization }, async () => {
      for (let attempt = 0; ; attempt++) {
        let conn: Connection | undefined;
        try {
          conn = await this.connect();
          return await run(conn.client);
        } catch (e) {
          if (e instanceof AppError) throw e;
          if (options.signal?.aborted) throw e;
          // The server no longer knows the session (it restarted or evicted it): the request was
          // never processed, so opening a fresh session and retrying once is safe.
          if (conn && attempt === 0 && isSessionLost(e)) {
            this.forget(conn);
            continue;
          }
          if (conn && e instanceof McpError && e.code === JsonRpcCode.ConnectionClosed) this.forget(conn);
          throw this.toAppError(e);
        }
      }
    });
  }

  private connect(): Promise<Connection> {
    if (!this.connection) {
      // Open the session as the session credential when there is one, so the long-lived
      // notification stream never holds a user's token.
      const authorization = this.opts.sessionAuthorization
        ? undefined
        : this.callScope.getStore()?.authorization;
      const opening = this.callScope.run({ authorization }, () => this.open(authorization));
      this.connection = opening;
      opening.catch(() => {
        if (this.connection === opening) this.connection = undefined;
      });
    }
    return this.connection;
  }

  private async open(authorization: string | undefined): Promise<Connection> {
    const transport = new StreamableHTTPClientTransport(this.endpoint, {
      fetch: this.fetchWithCallCredentials(),
    });
    const client = new Client({ name: this.opts.name, version: this.opts.version ?? '0.1.0' });
    client.onerror = (err) =>
      this.opts.logger?.debug({ err: err.message, server: this.endpoint.href }, 'mcp client error');
    await client.connect(transport, this.opts.timeoutMs ? { timeout: this.opts.timeoutMs } : undefined);
    this.current = { client, transport, authorization };
    return this.current;
  }

  /** Drop a connection that failed, unless a newer one already replaced it. */
  private forget(conn: Connection): void {
    if (this.current === conn) {
      this.current = undefined;
      this.connection = undefined;
    }
    void conn.client.close().catch(() => undefined);
  }

  private fetchWithCallCredentials(): FetchLike {
    const base: FetchLike = this.opts.fetch ?? fetch;
    return async (url, init) => {
      const headers = new Headers(init?.headers);
      const authorization =
        this.callScope.getStore()?.authorization ?? (await this.opts.sessionAuthorization?.());
      if (authorization) headers.set('authorization', authorization);
      for (const [k, v] of Object.entries(traceHeaders())) if (!headers.has(k)) headers.set(k, v);
      return fetchLinked(base, url, { ...init, headers });
    };
  }

  private requestOptions(options: McpCallOptions): RequestOptions {
    const timeout = options.timeoutMs ?? this.opts.timeoutMs;
    return { ...(options.signal ? { signal: options.signal } : {}), ...(timeout ? { timeout } : {}) };
  }

  private toAppError(e: unknown): AppError {
    const where = `MCP server ${this.endpoint.origin}`;
    if (e instanceof StreamableHTTPError) {
      const body = errorBody(e.message);
      const code: ErrorCode =
        e.code === 401
          ? 'unauthenticated'
          : e.code === 403
            ? 'forbidden'
            : e.code === 429
              ? 'rate_limited'
              : 'unavailable';
      return new AppError(code, body ?? `${where} answered HTTP ${e.code ?? '?'}`);
    }
    if (e instanceof McpError) return appErrorFromJsonRpc(e.code, e.message, e.data);
    const reason = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
    return new AppError('unavailable', `${where} unreachable: ${reason}`);
  }
}

/**
 * The SDK's transport hands every request the same long-lived AbortSignal; listening on it per request
 * piles up listeners until GC. Each request gets its own controller linked to that signal instead,
 * unlinked once a plain (JSON) response is back; an SSE stream stays linked so closing the transport
 * still ends it.
 */
async function fetchLinked(base: FetchLike, url: string | URL, init: RequestInit): Promise<Response> {
  const outer = init.signal;
  if (!outer) return base(url, init);
  if (outer.aborted) return base(url, init);
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer.reason);
  outer.addEventListener('abort', onAbort, { once: true });
  let streaming = false;
  try {
    const res = await base(url, { ...init, signal: controller.signal });
    streaming = (res.headers.get('content-type') ?? '').includes('text/event-stream');
    return res;
  } finally {
    if (!streaming) outer.removeEventListener('abort', onAbort);
  }
}

export function connectMcp(url: string, opts: McpClientOptions): McpToolClient {
  return new McpToolClient(url, opts);
}

function isSessionLost(e: unknown): boolean {
  if (e instanceof StreamableHTTPError) return e.code === 404;
  return e instanceof Error && e.message === 'Not connected';
}

/** The `{ error: { message } }` our HTTP mount answers with, out of the SDK's error text. */
function errorBody(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  try {
    const body = JSON.parse(text.slice(start)) as { error?: { message?: unknown } | string };
    if (typeof body.error === 'object' && typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON
  }
  return undefined;
}
