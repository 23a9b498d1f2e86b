import { AppError, traceHeaders } from '@stockpulse/core';
import type { CredentialVerifier } from '@stockpulse/protocols/auth';
import { Hono } from 'hono';
import { requireAuth } from '../middleware/require-auth.js';

const FORWARDED = [
  'authorization',
  'content-type',
  'accept',
  'a2a-version',
  'a2a-extensions',
  'x-a2a-extensions',
];
const CARD_TTL_MS = 60_000;

/**
 * The public A2A front door: the user-assistant's Agent Card with the gateway's public URL, and its
 * JSON-RPC endpoint behind the gateway's authentication (JWT or API key). The user-assistant
 * verifies the same credential again and scopes tasks to its principal, so a caller never sees
 * another principal's tasks.
 */
export function a2aRoutes(opts: {
  userAssistantUrl: string;
  publicUrl: string;
  verify: CredentialVerifier;
}): Hono {
  const app = new Hono();
  let card: { at: number; json: Record<string, unknown> } | undefined;

  app.get('/.well-known/agent-card.json', async (c) => {
    if (!card || Date.now() - card.at > CARD_TTL_MS) {
      const res = await fetch(`${opts.userAssistantUrl}/.well-known/agent-card.json`, {
        headers: traceHeaders(),
      }).catch(() => undefined);
      if (!res?.ok) throw new AppError('unavailable', 'The assistant agent is unavailable right now');
      const json = (await res.json()) as Record<string, unknown> & {
        supportedInterfaces?: Array<{ url: string }>;
        provider?: { url?: string };
      };
      for (const i of json.supportedInterfaces ?? []) i.url = `${opts.publicUrl}/a2a`;
      if (json.provider) json.provider.url = opts.publicUrl;
      card = { at: Date.now(), json };
    }
    c.header('cache-control', 'public, max-age=60');
    return c.json(card.json);
  });

  // The keys the assistant signs push notifications with, so a webhook receiver that found the agent
  // through this front door can verify them here.
  app.get('/.well-known/jwks.json', async (c) => {
    const res = await fetch(`${opts.userAssistantUrl}/.well-known/jwks.json`, {
      headers: traceHeaders(),
    }).catch(() => undefined);
    if (!res?.ok) throw new AppError('unavailable', 'The assistant agent is unavailable right now');
    c.header('cache-control', 'public, max-age=300');
    return c.json((await res.json()) as Record<string, unknown>);
  });

  app.post('/a2a', requireAuth(opts.verify), async (c) => {
    const headers: Record<string, string> = { ...traceHeaders() };
    for (const name of FORWARDED) {
      const v = c.req.header(name);
      if (v) headers[name] = v;
    }
    const upstream = await fetch(`${opts.userAssistantUrl}/a2a`, {
      method: 'POST',
      headers,
      body: c.req.raw.body,
      signal: c.req.raw.signal,
      duplex: 'half',
    } as RequestInit).catch(() => {
      throw new AppError('unavailable', 'The assistant agent is unavailable right now');
    });
    const out = new Headers();
    for (const name of ['content-type', 'cache-control', 'www-authenticate', 'a2a-extensions']) {
      const v = upstream.headers.get(name);
      if (v) out.set(name, v);
    }
    return new Response(upstream.body, { status: upstream.status, headers: out });
  });
  return app;
}
