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
 */
import { HttpAgent } from '@ag-ui/client';
import type { CopilotRuntimeFetchHandler } from '@copilotkit/runtime/v2';
import { Hono } from 'hono';

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
  app.all('/', (c) => handler(c.req.raw));
  app.all('/*', (c) => handler(c.req.raw));
  return app;
}
