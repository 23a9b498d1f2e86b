import { AppError, tracedFetch } from '@stockpulse/core';
import { type Principal, SCOPES, type Scope } from '../auth/principal.js';
import type { ServiceTokenSource } from '../auth/service-token.js';

const CACHE_MS = 30_000;

/**
 * Resolve an API key through the auth server's RFC 7662 introspection endpoint, authenticated with
 * this service's own token. Answers are cached briefly so a busy key costs one lookup per 30 s.
 */
export function introspectionClient(authUrl: string, tokens: ServiceTokenSource) {
  const cache = new Map<string, { at: number; principal?: Principal }>();
  return async (key: string): Promise<Principal | undefined> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.principal;
    const res = await tracedFetch(new URL('/oauth/introspect', authUrl), {
      method: 'POST',
      headers: {
        authorization: await tokens.authorization(),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token: key }),
    }).catch(() => {
      throw new AppError('unavailable', 'Auth server unreachable');
    });
    if (!res.ok) throw new AppError('unavailable', `API key introspection failed (${res.status})`);
    const body = (await res.json()) as { active: boolean; sub?: string; scope?: string; email?: string };
    const principal: Principal | undefined =
      body.active && body.sub
        ? {
            kind: 'user',
            subject: body.sub,
            userId: body.sub,
            email: body.email,
            scopes: (body.scope ?? '')
              .split(' ')
              .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s)),
            via: 'api_key',
            token: key,
          }
        : undefined;
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: Date.now(), principal });
    return principal;
  };
}
