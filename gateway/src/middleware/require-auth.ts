import { AppError } from '@stockpulse/core';
import type { CredentialVerifier, Principal } from '@stockpulse/protocols/auth';
import type { MiddlewareHandler } from 'hono';

export type GatewayEnv = { Variables: { principal: Principal } };

/** Bearer JWT or API key required; the verified principal is put on the context as `principal`. */
export function requireAuth(verify: CredentialVerifier): MiddlewareHandler<GatewayEnv> {
  return async (c, next) => {
    try {
      c.set('principal', await verify(c.req.header('authorization')));
    } catch (e) {
      if (e instanceof AppError && e.code === 'unauthenticated') {
        c.header('www-authenticate', `Bearer realm="stockpulse", error="invalid_token"`);
      }
      throw e;
    }
    await next();
  };
}
