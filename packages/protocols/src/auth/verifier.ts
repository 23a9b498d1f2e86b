import { AppError } from '@stockpulse/core';
import { createRemoteJWKSet, type JWTVerifyGetKey, errors as joseErrors, jwtVerify } from 'jose';
import { AUTH_AUDIENCE, AUTH_ISSUER, type Principal, SCOPES, type Scope } from './principal.js';

export interface VerifierOptions {
  /** Base URL of the auth server; keys come from `<authUrl>/.well-known/jwks.json`. */
  authUrl: string;
  /** Resolves an API key to a principal (introspection at the auth server); omitted = API keys refused. */
  introspectApiKey?: (key: string) => Promise<Principal | undefined>;
}

export type CredentialVerifier = (authorization: string | null | undefined) => Promise<Principal>;

export const API_KEY_PREFIX = 'spk_';

/**
 * Verify a Bearer JWT locally against the auth server's JWKS (cached, refreshed on unknown `kid`),
 * or an API key through introspection. Throws `unauthenticated` for anything else.
 */
export function createVerifier(opts: VerifierOptions): CredentialVerifier {
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL('/.well-known/jwks.json', opts.authUrl), {
    cooldownDuration: 1_000,
    cacheMaxAge: 10 * 60_000,
  });
  return async (authorization) => {
    const token = bearer(authorization);
    if (token.startsWith(API_KEY_PREFIX)) {
      const p = opts.introspectApiKey ? await opts.introspectApiKey(token) : undefined;
      if (!p) throw new AppError('unauthenticated', 'Invalid or expired API key');
      return p;
    }
    return verifyJwt(token, jwks);
  };
}

export async function verifyJwt(token: string, key: JWTVerifyGetKey): Promise<Principal> {
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: AUTH_ISSUER,
      audience: AUTH_AUDIENCE,
      algorithms: ['ES256'],
    });
    const scopes = String(payload.scope ?? '')
      .split(' ')
      .filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
    const sub = String(payload.sub ?? '');
    const isService = sub.startsWith('service:');
    return {
      kind: isService ? 'service' : 'user',
      subject: sub,
      userId: isService ? undefined : sub,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      scopes,
      via: 'jwt',
      token,
    };
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw new AppError('unauthenticated', 'Access token expired');
    if (e instanceof AppError) throw e;
    if (e instanceof joseErrors.JOSEError) throw new AppError('unauthenticated', 'Invalid access token');
    throw new AppError('unavailable', 'Cannot verify token: auth server keys unavailable');
  }
}

function bearer(authorization: string | null | undefined): string {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
  if (!m) throw new AppError('unauthenticated', 'Missing bearer token');
  return m[1]!;
}
