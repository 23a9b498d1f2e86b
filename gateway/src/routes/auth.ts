import { AppError } from '@stockpulse/core';
import type { McpToolClient } from '@stockpulse/protocols/mcp';
import { Hono } from 'hono';
import { z } from 'zod';
import { rateLimit } from '../middleware/rate-limit.js';

const loginBody = z.object({
  email: z.string().trim().email().max(254),
  password: z.string().min(1).max(1024),
});
const refreshBody = z.object({ refreshToken: z.string().min(10).max(200) });

async function body<T>(schema: z.ZodType<T>, req: Request): Promise<T> {
  const json = await req.json().catch(() => {
    throw new AppError('bad_request', 'Body must be JSON');
  });
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new AppError('bad_request', `${i?.path.join('.') || 'body'}: ${i?.message}`);
  }
  return parsed.data;
}

/**
 * People log in at the edge; the gateway asks the auth MCP server with its own service token
 * (login is the one call made for someone not yet authenticated).
 */
export function authRoutes(auth: McpToolClient, serviceAuthorization: () => Promise<string>): Hono {
  const app = new Hono();
  const call = async <T>(tool: string, args: Record<string, unknown>) =>
    auth.call<T>(tool, args, { authorization: await serviceAuthorization() });

  app.post(
    '/login',
    rateLimit({
      windowMs: 60_000,
      max: 10,
      key: async (c) => {
        const email = await c.req.raw
          .clone()
          .json()
          .then(
            (b: { email?: unknown }) => String(b.email ?? '').toLowerCase(),
            () => '',
          );
        return `${c.req.header('x-forwarded-for') ?? 'local'}|${email}`;
      },
    }),
    async (c) => c.json(await call('login', await body(loginBody, c.req.raw))),
  );
  app.post('/refresh', async (c) => c.json(await call('refresh_token', await body(refreshBody, c.req.raw))));
  app.post('/logout', async (c) => c.json(await call('logout', await body(refreshBody, c.req.raw))));
  return app;
}
