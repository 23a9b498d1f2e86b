import { RunAgentInputSchema } from '@ag-ui/core';
import { AppError, traceHeaders } from '@stockpulse/core';
import { Hono } from 'hono';
import type { GatewayEnv } from '../middleware/require-auth.js';

/**
 * `POST /api/v1/agent`: AG-UI for any client. The RunAgentInput is validated here (400 before any
 * work), then the run streams from the user-assistant straight through, carrying the caller's token.
 */
export function agentRoutes(userAssistantUrl: string): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();
  app.post('/', async (c) => {
    const json = await c.req.json().catch(() => {
      throw new AppError('bad_request', 'Body must be JSON (an AG-UI RunAgentInput)');
    });
    const parsed = RunAgentInputSchema.safeParse(json);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new AppError(
        'bad_request',
        `Invalid RunAgentInput: ${i?.path.join('.') || '(root)'}: ${i?.message}`,
      );
    }
    const upstream = await fetch(`${userAssistantUrl}/agui`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: c.req.header('accept') ?? 'text/event-stream',
        authorization: c.req.header('authorization')!,
        ...traceHeaders(),
      },
      body: JSON.stringify(parsed.data),
      signal: c.req.raw.signal,
    }).catch(() => {
      throw new AppError('unavailable', 'The assistant is unavailable right now');
    });
    return new Response(upstream.body, {
      status: upstream.status,
      headers: {
        'content-type': upstream.headers.get('content-type') ?? 'text/event-stream',
        'cache-control': 'no-cache',
      },
    });
  });
  return app;
}
