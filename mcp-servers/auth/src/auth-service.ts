import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { Database, Queryable } from '@stockpulse/db';
import {
  API_KEY_PREFIX,
  AUTH_AUDIENCE,
  AUTH_ISSUER,
  type Principal,
  type Scope,
} from '@stockpulse/protocols/auth';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const SERVICE_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 7 * 24 * 3600;
/** A retired key stays in the JWKS until every token it signed has expired. */
const RETIRED_KEY_GRACE_SECONDS = ACCESS_TOKEN_TTL_SECONDS + 60;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  displayName: string;
  scopes: Scope[];
}

interface UserRow {
  id: string;
  email: string;
  display_name: string;
  password_hash: string;
  scopes: Scope[];
  disabled: boolean;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const toPublic = (u: UserRow): PublicUser => ({
  id: u.id,
  email: u.email,
  displayName: u.display_name,
  scopes: u.scopes,
});

/**
 * Users, credentials and tokens. Access tokens are ES256 JWTs any service verifies locally against
 * the JWKS; refresh tokens rotate on every use and a reused one revokes its whole family; API keys
 * and refresh tokens are stored only as SHA-256 hashes.
 */
export class AuthService {
  private signer?: { kid: string; key: CryptoKey | Uint8Array };

  constructor(
    private readonly db: Database,
    private readonly opts: { serviceSecret?: string },
  ) {}

  async init(): Promise<void> {
    const { rows } = await this.db.query<{ kid: string; private_jwk: JWK }>(
      'SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
    if (rows[0]) this.signer = { kid: rows[0].kid, key: await importJWK(rows[0].private_jwk, 'ES256') };
    else await this.rotateSigningKey();
  }

  /** A new signing key; the previous one is retired but stays published until its tokens expire. */
  async rotateSigningKey(): Promise<{ kid: string }> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
    await this.db.transaction(async (tx) => {
      await tx.query('UPDATE signing_keys SET retired_at = now() WHERE retired_at IS NULL');
      await tx.query('INSERT INTO signing_keys (kid, private_jwk, public_jwk) VALUES ($1, $2, $3)', [
        kid,
        JSON.stringify(privateJwk),
        JSON.stringify(publicJwk),
      ]);
    });
    this.signer = { kid, key: privateKey };
    return { kid };
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { rows } = await this.db.query<{ public_jwk: JWK }>(
      `SELECT public_jwk FROM signing_keys
       WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
       ORDER BY created_at DESC`,
      [RETIRED_KEY_GRACE_SECONDS],
    );
    return { keys: rows.map((r) => r.public_jwk) };
  }

  async createUser(input: {
    email: string;
    password: string;
    displayName: string;
    id?: string;
  }): Promise<PublicUser> {
    const email = input.email.trim().toLowerCase();
    const hash = await hashPassword(input.password);
    const { rows } = await this.db.query<UserRow>(
      `INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING RETURNING *`,
      [input.id ?? randomUUID(), email, input.displayName, hash],
    );
    if (!rows[0]) throw new AppError('conflict', 'A user with that email already exists');
    return toPublic(rows[0]);
  }

  /** Create the demo user if missing; keep its password in step with configuration. */
  async ensureUser(input: {
    id: string;
    email: string;
    password: string;
    displayName: string;
  }): Promise<void> {
    const { rows } = await this.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [input.id]);
    if (!rows[0]) {
      await this.createUser(input);
    } else if (!(await verifyPassword(input.password, rows[0].password_hash))) {
      await this.db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [
        input.id,
        await hashPassword(input.password),
      ]);
    }
  }

  async login(email: string, password: string): Promise<TokenPair> {
    const { rows } = await this.db.query<UserRow>('SELECT * FROM users WHERE email = $1', [
      email.trim().toLowerCase(),
    ]);
    const user = rows[0];
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    if (!user || !ok || user.disabled) throw new AppError('unauthenticated', 'Invalid email or password');
    return this.issuePair(this.db, user, randomUUID());
  }

  async refresh(refreshToken: string): Promise<TokenPair> {
    // Reuse is reported after the transaction commits, so the family revocation is not rolled back.
    const outcome = await this.db.transaction(async (tx): Promise<TokenPair | 'reused'> => {
      const { rows } = await tx.query<{
        id: string;
        family_id: string;
        user_id: string;
        expires_at: Date;
        used_at: Date | null;
        revoked_at: Date | null;
      }>('SELECT * FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE', [sha256(refreshToken)]);
      const row = rows[0];
      if (!row) throw new AppError('unauthenticated', 'Unknown refresh token');
      if (row.used_at || row.revoked_at) {
        // A rotated-out token came back: someone holds a copy. Revoke the whole family.
        await tx.query(
          'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
          [row.family_id],
        );
        return 'reused';
      }
      if (row.expires_at.getTime() < Date.now())
        throw new AppError('unauthenticated', 'Refresh token expired');
      await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE id = $1', [row.id]);
      const user = (await tx.query<UserRow>('SELECT * FROM users WHERE id = $1', [row.user_id])).rows[0];
      if (!user || user.disabled) throw new AppError('unauthenticated', 'User disabled');
      return this.issuePair(tx, user, row.family_id);
    });
    if (outcome === 'reused') {
      throw new AppError('unauthenticated', 'Refresh token reuse detected; the session has been revoked');
    }
    return outcome;
  }

  /** Revoke the session a refresh token belongs to. Unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<{ revoked: number }> {
    const { rows } = await this.db.query<{ family_id: string }>(
      'SELECT family_id FROM refresh_tokens WHERE token_hash = $1',
      [sha256(refreshToken)],
    );
    if (!rows[0]) return { revoked: 0 };
    const r = await this.db.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
      [rows[0].family_id],
    );
    return { revoked: r.rowCount };
  }

  /** OAuth client credentials for StockPulse's own services (shared secret from configuration). */
  async serviceToken(
    clientId: string,
    clientSecret: string,
  ): Promise<{ accessToken: string; expiresIn: number }> {
    const secret = this.opts.serviceSecret;
    const ok =
      !!secret &&
      /^[a-z][a-z0-9-]{1,40}$/.test(clientId) &&
      clientSecret.length === secret.length &&
      timingSafeEqual(Buffer.from(clientSecret), Buffer.from(secret));
    if (!ok) throw new AppError('unauthenticated', 'Invalid client credentials');
    const accessToken = await this.sign(
      { sub: `service:${clientId}`, scope: 'service' },
      SERVICE_TOKEN_TTL_SECONDS,
    );
    return { accessToken, expiresIn: SERVICE_TOKEN_TTL_SECONDS };
  }

  async createApiKey(
    userId: string,
    input: { name: string; scopes: Scope[]; expiresInDays?: number },
  ): Promise<{ id: string; key: string; prefix: string; scopes: Scope[]; expiresAt: string | null }> {
    const user = await this.getUser(userId);
    const granted = input.scopes.filter((s) => user.scopes.includes(s) || user.scopes.includes('admin'));
    if (granted.length !== input.scopes.length)
      throw new AppError('forbidden', 'Cannot grant a scope you do not hold');
    const id = randomUUID();
    const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    const prefix = key.slice(0, 10);
    const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
    await this.db.query(
      'INSERT INTO api_keys (id, user_id, name, prefix, key_hash, scopes, expires_at) VALUES ($1,$2,$3,$4,$5,$6,$7)',
      [id, userId, input.name, prefix, sha256(key), input.scopes, expiresAt],
    );
    return { id, key, prefix, scopes: input.scopes, expiresAt: expiresAt?.toISOString() ?? null };
  }

  async listApiKeys(userId: string) {
    const { rows } = await this.db.query<{
      id: string;
      name: string;
      prefix: string;
      scopes: Scope[];
      expires_at: Date | null;
      revoked_at: Date | null;
      last_used_at: Date | null;
      created_at: Date;
    }>('SELECT * FROM api_keys WHERE user_id = $1 ORDER BY created_at DESC LIMIT 200', [userId]);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      prefix: r.prefix,
      scopes: r.scopes,
      createdAt: r.created_at.toISOString(),
      expiresAt: r.expires_at?.toISOString() ?? null,
      revoked: r.revoked_at !== null,
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
    }));
  }

  async revokeApiKey(userId: string, id: string): Promise<void> {
    const r = await this.db.query(
      'UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [id, userId],
    );
    if (r.rowCount === 0) throw new AppError('not_found', 'No active API key with that id');
  }

  /** The principal an API key stands for, or undefined if it is unknown, revoked or expired. */
  async introspectApiKey(key: string): Promise<Principal | undefined> {
    const { rows } = await this.db.query<{ user_id: string; scopes: Scope[]; email: string }>(
      `UPDATE api_keys k SET last_used_at = now() FROM users u
       WHERE k.key_hash = $1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
         AND u.id = k.user_id AND NOT u.disabled
       RETURNING k.user_id, k.scopes, u.email`,
      [sha256(key)],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      kind: 'user',
      subject: row.user_id,
      userId: row.user_id,
      email: row.email,
      scopes: row.scopes,
      via: 'api_key',
    };
  }

  async getUser(userId: string): Promise<PublicUser> {
    const { rows } = await this.db.query<UserRow>('SELECT * FROM users WHERE id = $1', [userId]);
    if (!rows[0]) throw new AppError('not_found', 'No such user');
    return toPublic(rows[0]);
  }

  private async issuePair(tx: Queryable, user: UserRow, familyId: string): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    await tx.query(
      'INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [
        randomUUID(),
        familyId,
        user.id,
        sha256(refreshToken),
        new Date(Date.now() + REFRESH_TOKEN_TTL_SECONDS * 1000),
      ],
    );
    const accessToken = await this.sign(
      { sub: user.id, email: user.email, scope: user.scopes.join(' '), sid: familyId },
      ACCESS_TOKEN_TTL_SECONDS,
    );
    return {
      accessToken,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      user: toPublic(user),
    };
  }

  private async sign(claims: Record<string, string>, ttlSeconds: number): Promise<string> {
    if (!this.signer) throw new AppError('unavailable', 'No signing key');
    const { sub, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg: 'ES256', kid: this.signer.kid, typ: 'JWT' })
      .setSubject(sub!)
      .setIssuer(AUTH_ISSUER)
      .setAudience(AUTH_AUDIENCE)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${ttlSeconds}s`)
      .sign(this.signer.key);
  }
}
