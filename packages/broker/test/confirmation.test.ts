import { describe, expect, it } from 'vitest';
import { issueConfirmation, verifyConfirmation } from '../src/index.js';

const secret = 'test-secret-that-is-at-least-32-bytes!';
const request = {
  clientOrderId: 'c1',
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  quantity: '10',
  limitPrice: '187.5',
} as const;
const now = new Date('2024-03-05T15:00:00Z');
const seconds = (n: number) => new Date(now.getTime() + n * 1000);

async function code(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'ok';
}

describe('confirmation tokens', () => {
  it('verify for the same account and order, including an equivalent spelling, until expiry', async () => {
    const c = await issueConfirmation('acct-1', request, { secret, now, jti: 'j1' });
    expect(c).toMatchObject({ jti: 'j1', expiresAt: '2024-03-05T15:02:00.000Z' });
    await expect(
      verifyConfirmation(c.token, request, 'acct-1', secret, { now: seconds(119) }),
    ).resolves.toEqual({
      jti: 'j1',
      expiresAt: '2024-03-05T15:02:00.000Z',
    });
    const same = { ...request, quantity: '10.00', limitPrice: '187.50', timeInForce: 'day' } as const;
    expect(await code(verifyConfirmation(c.token, same, 'acct-1', secret, { now }))).toBe('ok');
  });

  it('fail when expired', async () => {
    const c = await issueConfirmation('acct-1', request, { secret, now });
    expect(await code(verifyConfirmation(c.token, request, 'acct-1', secret, { now: seconds(121) }))).toBe(
      'confirmation_expired',
    );
  });

  it('fail when tampered with or signed with another key', async () => {
    const c = await issueConfirmation('acct-1', request, { secret, now });
    const [h, p, s] = c.token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'acct-2' })).toString('base64url');
    expect(await code(verifyConfirmation(`${h}.${forged}.${s}`, request, 'acct-2', secret, { now }))).toBe(
      'confirmation_invalid',
    );
    const other = 'another-secret-that-is-32-bytes-long!!';
    expect(await code(verifyConfirmation(c.token, request, 'acct-1', other, { now }))).toBe(
      'confirmation_invalid',
    );
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    expect(await code(verifyConfirmation(none, request, 'acct-1', secret, { now }))).toBe(
      'confirmation_invalid',
    );
    expect(await code(verifyConfirmation('garbage', request, 'acct-1', secret, { now }))).toBe(
      'confirmation_invalid',
    );
  });

  it('fail when the order, the account or the replaced order differs', async () => {
    const c = await issueConfirmation('acct-1', request, { secret, now });
    await expect(
      verifyConfirmation(c.token, { ...request, quantity: '11' }, 'acct-1', secret, { now }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'confirmation_mismatch',
        message: 'The order differs from the one that was previewed and confirmed',
      }),
    );
    expect(
      await code(verifyConfirmation(c.token, { ...request, clientOrderId: 'c2' }, 'acct-1', secret, { now })),
    ).toBe('confirmation_mismatch');
    expect(await code(verifyConfirmation(c.token, request, 'acct-2', secret, { now }))).toBe(
      'confirmation_mismatch',
    );
    expect(await code(verifyConfirmation(c.token, request, 'acct-1', secret, { now, replaces: 'o1' }))).toBe(
      'confirmation_mismatch',
    );
    const r = await issueConfirmation('acct-1', request, { secret, now, replaces: 'o1' });
    expect(await code(verifyConfirmation(r.token, request, 'acct-1', secret, { now, replaces: 'o1' }))).toBe(
      'ok',
    );
  });

  it('need a secret of at least 32 bytes', async () => {
    expect(await code(issueConfirmation('acct-1', request, { secret: 'short', now }))).toBe('invalid_config');
  });
});
