import { decodeJwt } from 'jose';
import type { Principal } from '../auth/principal.js';
import type { CredentialVerifier } from '../auth/verifier.js';

export interface VerifiedCredentialCacheOptions {
  /** How long a verified JWT is remembered; never past its own `exp`. 0 turns the cache off. */
  ttlMs: number;
  /** Most credentials remembered; the oldest is forgotten first. */
  maxEntries?: number;
}

/**
 * Remembers JWTs `verify` accepted, for `ttlMs` and never past their `exp`, so a session's calls do
 * not pay an ES256 signature check each (~0.15-0.3 ms). Every request is still checked: the exact
 * header must have been verified, and an expired token is refused at once. Only JWTs are kept (their
 * validity is a pure function of the token, the clock and the signing keys); API keys are always
 * introspected again, so revoking one takes effect immediately. A signing key withdrawn from the
 * JWKS stops vouching for tokens seen before within `ttlMs` (the JWKS itself is cached for minutes).
 */
export function rememberVerifiedCredentials(
  verify: CredentialVerifier,
  opts: VerifiedCredentialCacheOptions,
): CredentialVerifier {
  if (opts.ttlMs <= 0) return verify;
  const maxEntries = opts.maxEntries ?? 5000;
  const cache = new Map<string, { principal: Principal; until: number }>();
  return async (authorization) => {
    if (!authorization) return verify(authorization);
    const now = Date.now();
    const hit = cache.get(authorization);
    if (hit) {
      if (hit.until > now) return hit.principal;
      cache.delete(authorization);
    }
    const principal = await verify(authorization);
    if (principal.via === 'jwt' && principal.token) {
      const until = Math.min(now + opts.ttlMs, expiresAt(principal.token));
      if (until > now) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
        cache.set(authorization, { principal, until });
      }
    }
    return principal;
  };
}

/** The token's `exp` in ms; 0 (never cached) without one. */
function expiresAt(token: string): number {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' ? exp * 1000 : 0;
  } catch {
    return 0;
  }
}
