/**
 * CopilotRuntime (CopilotKit v2) on the gateway.
 *
 * The browser's CopilotKit client talks to `/api/copilotkit/*` (GET /info, POST /agent/:id/run,
 * POST /agent/:id/connect, POST /agent/:id/stop/:threadId, ...). Runs of the agent `stockpulse` are
 * proxied as AG-UI (`RunAgentInput` → `text/event-stream`) to the user-assistant at
 * `POST {userAssistantUrl}/agui`, carrying the caller's own `Authorization: Bearer <JWT>`.
 *
 * Mount (no base path needed — routes are matched as suffixes of the URL path):
 *
 *     app.route('/api/copilotkit', copilotKitRoutes({ userAssistantUrl }))
 *
 * The gateway's auth middleware must run before this route; this module trusts it to have
 * verified the bearer token and only forwards it (per request, never a process-wide token).
 *
 * Multi-user hardening: CopilotKit's SSE runtime keeps thread history in a process-global in-memory
 * runner and, by default, serves "local dev" thread endpoints (`GET /threads`, `/threads/:id/messages`,
 * `POST /threads/clear`, …) over it with no notion of users. Only the routes the chat client needs are
 * exposed here (`GET /info`, `POST /agent/:id/run|connect`, `POST /agent/:id/stop/:threadId`), and a
 * thread may only be run, reconnected or stopped by the principal that started it.
 */
import { createHash } from 'node:crypto';
import { HttpAgent } from '@ag-ui/client';
import type { CopilotRuntimeFetchHandler } from '@copilotkit/runtime/v2';
import { type Context, Hono } from 'hono';

// CopilotKit's telemetry client is a singleton built when `@copilotkit/runtime` is first evaluated
// and reads this variable at that moment, so it must be set *before* the runtime is loaded — hence
// the dynamic import below instead of a static one. An explicit value from the environment wins.
if (process.env.COPILOTKIT_TELEMETRY_DISABLED === undefined) {
  process.env.COPILOTKIT_TELEMETRY_DISABLED = 'true';
}
const { CopilotRuntime, createCopilotRuntimeHandler } = await import('@copilotkit/runtime/v2');

/** The agent name the web app asks for (`<CopilotKitProvider agentId="stockpulse">`). */
export const STOCKPULSE_AGENT_ID = 'stockpulse';

/**
 * Inbound headers forwarded to the user-assistant on a run: the caller's bearer token and the
 * W3C trace context. Allowlist mode — nothing else (cookies, proxy headers, x-*) leaks upstream.
 */
const FORWARDED_HEADERS = ['authorization', 'traceparent', 'tracestate', 'baggage', 'accept-language'];

export interface CopilotKitRoutesOptions {
  /** Base URL of the user-assistant agent, e.g. `http://127.0.0.1:8001`; `/agui` is appended. */
  userAssistantUrl: string;
  /**
   * Optional absolute mount path (e.g. `/api/copilotkit`) for strict prefix routing. When omitted the
   * CopilotKit routes are matched as suffixes of the request path, which works for any mount point.
   */
  basePath?: string;
  /** Agent id exposed to the browser. Default `stockpulse`. */
  agentId?: string;
  /** Seconds of SSE silence before a `: keep-alive` comment is written. Default 15. */
  sseKeepAliveIntervalSeconds?: number;
  /** Injected fetch for the upstream AG-UI call (tests, instrumentation). Default: global fetch. */
  fetch?: typeof fetch;
}

/** `{userAssistantUrl}/agui`, tolerant of a trailing slash or an URL that already ends in /agui. */
export function aguiEndpoint(userAssistantUrl: string): string {
  const base = userAssistantUrl.replace(/\/+$/, '');
  return base.endsWith('/agui') ? base : `${base}/agui`;
}

// ---------------------------------------------------------------- thread ownership

/** Max remembered thread owners (LRU); CopilotKit's in-memory runner itself keeps ≤ 1000 threads. */
const MAX_OWNED_THREADS = 10_000;
/** threadId → owner key. Module-level because CopilotKit's in-memory thread store is process-global. */
const threadOwners = new Map<string, string>();

/**
 * Stable key for the caller. The gateway has verified the JWT, so its `sub` claim is trusted (and survives a
 * token refresh); a non-JWT bearer falls back to a hash of the token. `anonymous` when there is no token.
 */
export function principalKey(authorization: string | null | undefined): string {
  if (!authorization) return 'anonymous';
  const token = authorization.replace(/^Bearer\s+/i, '').trim();
  const parts = token.split('.');
  if (parts.length === 3 && parts[1]) {
    try {
      const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { sub?: unknown };
      if (typeof claims.sub === 'string' && claims.sub.length > 0) return `sub:${claims.sub}`;
    } catch {
      // not a JWT payload; hash the token instead
    }
  }
  return `tok:${createHash('sha256').update(token).digest('base64url')}`;
}

/** Claim `threadId` for `owner` if unclaimed; false when another principal owns it. */
function claimThread(threadId: string, owner: string): boolean {
  const current = threadOwners.get(threadId);
  if (current !== undefined && current !== owner) return false;
  threadOwners.delete(threadId); // refresh LRU position
  threadOwners.set(threadId, owner);
  if (threadOwners.size > MAX_OWNED_THREADS) {
    const oldest = threadOwners.keys().next().value;
    if (oldest !== undefined) threadOwners.delete(oldest);
  }
  return true;
}

async function threadIdFromBody(c: Context): Promise<string | undefined> {
  try {
    const body = (await c.req.raw.clone().json()) as { threadId?: unknown };
    return typeof body.threadId === 'string' && body.threadId.length > 0 ? body.threadId : undefined;
  } catch {
    return undefined; // malformed body: the runtime answers 400 itself
  }
}

function forbidden(c: Context) {
  return c.json({ error: { code: 'forbidden', message: 'This conversation belongs to another user' } }, 403);
}

// ---------------------------------------------------------------- runtime

/** Build the CopilotKit runtime fetch handler (exported for reuse outside hono). */
export function createCopilotKitHandler(opts: CopilotKitRoutesOptions): CopilotRuntimeFetchHandler {
  const url = aguiEndpoint(opts.userAssistantUrl);
  const agentId = opts.agentId ?? STOCKPULSE_AGENT_ID;
  const upstreamFetch = opts.fetch;

  const runtime = new CopilotRuntime({
    // A fresh HttpAgent per request, carrying that request's own Authorization header. The runtime
    // additionally merges the allow-listed inbound headers below onto the (cloned) agent; headers
    // set here win on a case-insensitive collision, so exactly one Authorization goes upstream.
    agents: ({ request }) => {
      const headers: Record<string, string> = {};
      const authorization = request.headers.get('authorization');
      if (authorization) headers.Authorization = authorization;
      return {
        [agentId]: new HttpAgent({
          agentId,
          description: 'StockPulse trading assistant: portfolio, market data, research and paper trading.',
          url,
          headers,
          ...(upstreamFetch ? { fetch: upstreamFetch } : {}),
        }),
      };
    },
    forwardHeaders: { allow: FORWARDED_HEADERS },
    ...(opts.sseKeepAliveIntervalSeconds !== undefined
      ? { sseKeepAliveIntervalSeconds: opts.sseKeepAliveIntervalSeconds }
      : {}),
  });

  // Same-origin (the gateway serves the web app), so no CORS headers: `cors` omitted on purpose.
  return createCopilotRuntimeHandler({
    runtime,
    mode: 'multi-route',
    ...(opts.basePath ? { basePath: opts.basePath } : {}),
  });
}

/**
 * Hono sub-app serving CopilotKit's v2 multi-route protocol. Mount under `/api/copilotkit`
 * (`app.route('/api/copilotkit', copilotKitRoutes({ userAssistantUrl }))`).
 */
export function copilotKitRoutes(opts: CopilotKitRoutesOptions): Hono {
  const handler = createCopilotKitHandler(opts);
  const app = new Hono();

  app.get('/info', (c) => handler(c.req.raw));

  const ownedRun = async (c: Context) => {
    const threadId = await threadIdFromBody(c);
    if (threadId && !claimThread(threadId, principalKey(c.req.header('authorization')))) return forbidden(c);
    return handler(c.req.raw);
  };
  app.post('/agent/:agentId/run', ownedRun);
  app.post('/agent/:agentId/connect', ownedRun);
  app.post('/agent/:agentId/stop/:threadId', (c) => {
    const owner = threadOwners.get(c.req.param('threadId'));
    if (owner !== undefined && owner !== principalKey(c.req.header('authorization'))) return forbidden(c);
    return handler(c.req.raw);
  });

  // Everything else CopilotKit could serve (thread listing/history/clear over the shared in-memory store,
  // suggest, transcribe, memories, debug events, single-route envelope) is deliberately not exposed.
  app.all('*', (c) => c.json({ error: { code: 'not_found', message: 'Not found' } }, 404));
  return app;
}
