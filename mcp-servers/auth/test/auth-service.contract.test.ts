import type { Database } from '@stockpulse/db';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { verifyJwt } from '@stockpulse/protocols/auth';
import { createLocalJWKSet, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../src/auth-service.js';
import { AUTH_MIGRATIONS } from '../src/store/migrations.js';

const SECRET = 'service-secret-for-tests-0123456789';

describe.each(testBackends('auth'))('auth service on %s', (_kind, backend) => {
  let db: Database;
  let auth: AuthService;
  let userId: string;
  beforeAll(async () => {
    db = await backend.open();
    await migrate(db, AUTH_MIGRATIONS);
    auth = new AuthService(db, { serviceSecret: SECRET });
    await auth.init();
    userId = (
      await auth.createUser({ email: 'Ann@Example.com', password: 'correct horse', displayName: 'Ann' })
    ).id;
  });
  afterAll(async () => {
    await db.close();
    await backend.cleanup();
  });

  it('logs in with the right password only, and never stores it', async () => {
    const pair = await auth.login('ann@example.com', 'correct horse');
    const principal = await verifyJwt(pair.accessToken, createLocalJWKSet(await auth.jwks()));
    expect(principal).toMatchObject({
      kind: 'user',
      userId,
      email: 'ann@example.com',
      scopes: ['read', 'trade'],
    });
    await expect(auth.login('ann@example.com', 'wrong')).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(auth.login('nobody@example.com', 'x')).rejects.toMatchObject({ code: 'unauthenticated' });
    const { rows } = await db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [userId],
    );
    expect(rows[0]!.password_hash).toMatch(/^scrypt\$/);
    await expect(
      auth.createUser({ email: 'ann@example.com', password: 'x', displayName: 'dup' }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('rotates refresh tokens and revokes the family when a used one comes back', async () => {
    const first = await auth.login('ann@example.com', 'correct horse');
    const second = await auth.refresh(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(auth.refresh(first.refreshToken)).rejects.toMatchObject({
      message: expect.stringMatching(/reuse/),
    });
    // the whole session is gone, including the newest token
    await expect(auth.refresh(second.refreshToken)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('logs out by revoking the session', async () => {
    const pair = await auth.login('ann@example.com', 'correct horse');
    expect(await auth.logout(pair.refreshToken)).toEqual({ revoked: 1 });
    await expect(auth.refresh(pair.refreshToken)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('issues scoped API keys stored hashed, and forgets revoked ones', async () => {
    const key = await auth.createApiKey(userId, { name: 'bot', scopes: ['read'] });
    expect(key.key).toMatch(/^spk_/);
    expect(await auth.introspectApiKey(key.key)).toMatchObject({ userId, scopes: ['read'], via: 'api_key' });
    const stored = await db.query('SELECT 1 FROM api_keys WHERE key_hash = $1', [key.key]);
    expect(stored.rows).toHaveLength(0);
    await expect(auth.createApiKey(userId, { name: 'x', scopes: ['admin'] })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await auth.revokeApiKey(userId, key.id);
    expect(await auth.introspectApiKey(key.key)).toBeUndefined();
    await expect(auth.revokeApiKey(userId, key.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await auth.listApiKeys(userId))[0]).toMatchObject({ id: key.id, revoked: true });
  });

  it('gives service tokens only for the configured secret', async () => {
    const t = await auth.serviceToken('gateway', SECRET);
    expect(await verifyJwt(t.accessToken, createLocalJWKSet(await auth.jwks()))).toMatchObject({
      kind: 'service',
      subject: 'service:gateway',
      scopes: ['service'],
    });
    await expect(auth.serviceToken('gateway', `${SECRET}x`)).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    await expect(auth.serviceToken('Bad Name', SECRET)).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('rotates the signing key and keeps the old one published for its tokens', async () => {
    const before = await auth.login('ann@example.com', 'correct horse');
    const { kid } = await auth.rotateSigningKey();
    const after = await auth.login('ann@example.com', 'correct horse');
    expect(decodeProtectedHeader(after.accessToken).kid).toBe(kid);
    const jwks = createLocalJWKSet(await auth.jwks());
    await expect(verifyJwt(before.accessToken, jwks)).resolves.toMatchObject({ userId });
    await expect(verifyJwt(after.accessToken, jwks)).resolves.toMatchObject({ userId });
  });
});
