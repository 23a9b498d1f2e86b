import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { BrokerError } from './errors.js';
import { type OrderRequestInput, requestHash } from './order.js';

/**
 * Human-in-the-loop confirmation: a preview returns a short-lived HS256 JWT binding the account and
 * the SHA-256 of the canonical order request; only a request with a valid token for exactly that order
 * executes. The token is single-use only if whoever places the order records its `jti` and refuses a
 * second use (e.g. a unique column, kept until `expiresAt`); this module cannot see that store.
 */
export const CONFIRMATION_TTL_SECONDS = 120;
const ISSUER = 'stockpulse/broker';
const AUDIENCE = 'order-confirmation';
const MIN_SECRET_BYTES = 32;

export interface Confirmation {
  token: string;
  jti: string;
  expiresAt: string;
}

export interface ConfirmationOptions {
  /** Signing key; at least 32 bytes (256 bits), as HS256 needs. */
  secret: string | Uint8Array;
  now?: Date;
  ttlSeconds?: number;
  jti?: string;
  /** For a replacement: the id of the order it replaces, bound into the token too. */
  replaces?: string;
}

function key(secret: string | Uint8Array): Uint8Array {
  const bytes = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    throw new BrokerError(
      'invalid_config',
      `The confirmation secret must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return bytes;
}

export async function issueConfirmation(
  accountId: string,
  request: OrderRequestInput,
  opts: ConfirmationOptions,
): Promise<Confirmation> {
  const now = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const exp = now + (opts.ttlSeconds ?? CONFIRMATION_TTL_SECONDS);
  const jti = opts.jti ?? randomUUID();
  const token = await new SignJWT({
    orh: requestHash(request),
    ...(opts.replaces ? { rep: opts.replaces } : {}),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(accountId)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(exp)
    .sign(key(opts.secret));
  return { token, jti, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * Check a token against the order about to be placed. Throws `confirmation_expired`,
 * `confirmation_invalid` (bad signature, malformed, wrong issuer/audience) or `confirmation_mismatch`
 * (another account, another order, another replaced order); returns the jti to record as used.
 */
export async function verifyConfirmation(
  token: string,
  request: OrderRequestInput,
  accountId: string,
  secret: string | Uint8Array,
  opts: { now?: Date; replaces?: string } = {},
): Promise<{ jti: string; expiresAt: string }> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key(secret), {
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      requiredClaims: ['jti', 'exp', 'sub'],
      currentDate: opts.now,
    }));
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      throw new BrokerError('confirmation_expired', 'The confirmation has expired: preview the order again');
    }
    if (e instanceof BrokerError) throw e;
    throw new BrokerError(
      'confirmation_invalid',
      'The confirmation token is not valid (tampered or malformed)',
      {
        reason: e instanceof errors.JOSEError ? e.code : 'invalid',
      },
    );
  }
  if (payload.sub !== accountId) {
    throw new BrokerError('confirmation_mismatch', 'The confirmation was issued for another account');
  }
  if (payload.orh !== requestHash(request)) {
    throw new BrokerError(
      'confirmation_mismatch',
      'The order differs from the one that was previewed and confirmed',
    );
  }
  if ((payload.rep ?? undefined) !== opts.replaces) {
    throw new BrokerError('confirmation_mismatch', 'The confirmation was issued for a different replacement');
  }
  return { jti: String(payload.jti), expiresAt: new Date(Number(payload.exp) * 1000).toISOString() };
}
