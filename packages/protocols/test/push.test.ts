import { type StreamResponse, TaskState } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { InMemoryPushNotificationStore, type ServerCallContext } from '@a2a-js/sdk/server';
import { createLogger, listen, type RunningServer } from '@stockpulse/core';
import { Hono } from 'hono';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BODY_SHA256_CLAIM,
  checkedPushStore,
  createPushSigner,
  NOTIFICATION_TOKEN_HEADER,
  type PushSigner,
  signedPushSender,
  verifyPushNotification,
} from '../src/a2a/index.js';

const logger = createLogger('push-test', 'silent');
const AGENT = 'http://agent.test:8002';

/** A webhook that records what it receives and answers with the next scripted status. */
interface Received {
  authorization: string | null;
  token: string | null;
  contentType: string | null;
  body: string;
  at: number;
}
let receiver: RunningServer;
let received: Received[] = [];
let script: number[] = [];

beforeAll(async () => {
  const app = new Hono().post('/hook', async (c) => {
    received.push({
      authorization: c.req.header('authorization') ?? null,
      token: c.req.header(NOTIFICATION_TOKEN_HEADER) ?? null,
      contentType: c.req.header('content-type') ?? null,
      body: await c.req.text(),
      at: Date.now(),
    });
    const status = script.shift() ?? 200;
    return c.body(null, status as 200);
  });
  receiver = await listen(app, { port: 0, host: '127.0.0.1' });
});

afterAll(() => receiver?.close());
afterEach(() => {
  received = [];
  script = [];
});

const call = {
  user: { isAuthenticated: true, userName: 'user-1' },
  requestedVersion: '1.0',
} as ServerCallContext;
const hookUrl = () => `${receiver.url}/hook`;

const statusEvent = (taskId: string, state: TaskState): StreamResponse => ({
  payload: {
    $case: 'statusUpdate',
    value: {
      taskId,
      contextId: 'ctx-1',
      status: { state, message: undefined, timestamp: new Date().toISOString() },
      metadata: undefined,
    },
  },
});

async function senderFor(signer: PushSigner, retry = { baseDelayMs: 20, maxDelayMs: 100 }) {
  const store = new InMemoryPushNotificationStore();
  await store.save('task-1', call, {
    tenant: '',
    id: 'cfg-1',
    taskId: 'task-1',
    url: hookUrl(),
    token: 'client-token',
    authentication: undefined,
  });
  return signedPushSender({ store, signer, logger, retry });
}

describe('push signer', () => {
  it('derives the same key on every replica from the secret and the agent name, another per name', async () => {
    const a = await createPushSigner({ issuer: AGENT, key: { secret: 's'.repeat(32), keyName: 'pm' } });
    const b = await createPushSigner({ issuer: AGENT, key: { secret: 's'.repeat(32), keyName: 'pm' } });
    const other = await createPushSigner({ issuer: AGENT, key: { secret: 's'.repeat(32), keyName: 'ua' } });
    expect(a.jwks).toEqual(b.jwks);
    expect(a.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(a.jwks.keys[0]).not.toHaveProperty('d');
    expect(other.jwks.keys[0]!.kid).not.toBe(a.jwks.keys[0]!.kid);
    // A token from one replica verifies with the other's JWKS.
    const body = '{"hello":"world"}';
    const jwt = await a.sign({ audience: hookUrl(), taskId: 't', body });
    await expect(
      verifyPushNotification(
        { authorization: `Bearer ${jwt}`, body },
        { issuer: AGENT, audience: hookUrl(), keys: createLocalJWKSet(b.jwks) },
      ),
    ).resolves.toMatchObject({ iss: AGENT, aud: hookUrl(), taskId: 't' });
  });

  it('rejects a tampered body, another audience, another issuer and another key', async () => {
    const signer = await createPushSigner({ issuer: AGENT, key: { secret: 'x'.repeat(32), keyName: 'pm' } });
    const stranger = await createPushSigner({
      issuer: AGENT,
      key: { secret: 'y'.repeat(32), keyName: 'pm' },
    });
    const keys = createLocalJWKSet(signer.jwks);
    const body = '{"task":1}';
    const jwt = await signer.sign({ audience: hookUrl(), taskId: 't', body });
    const verify = (authorization: string, b = body, o: { audience?: string; issuer?: string } = {}) =>
      verifyPushNotification(
        { authorization, body: b },
        { issuer: o.issuer ?? AGENT, audience: o.audience ?? hookUrl(), keys },
      );
    await expect(verify(`Bearer ${jwt}`, '{"task":2}')).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(verify(`Bearer ${jwt}`, body, { audience: 'https://elsewhere/hook' })).rejects.toMatchObject(
      {
        code: 'unauthenticated',
      },
    );
    await expect(verify(`Bearer ${jwt}`, body, { issuer: 'http://evil' })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    const forged = await stranger.sign({ audience: hookUrl(), taskId: 't', body });
    await expect(verify(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(verify('')).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});

describe('signed push sender', () => {
  it('POSTs each event as v1 JSON with a signed JWT and the client token', async () => {
    const signer = await createPushSigner({ issuer: AGENT, key: { secret: 'k'.repeat(32), keyName: 'pm' } });
    const sender = await senderFor(signer);
    await sender.send(statusEvent('task-1', TaskState.TASK_STATE_WORKING), call);
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit!.token).toBe('client-token');
    expect(hit!.contentType).toMatch(/application\/(a2a\+)?json/);
    expect(JSON.parse(hit!.body)).toMatchObject({
      statusUpdate: { taskId: 'task-1', status: { state: 'TASK_STATE_WORKING' } },
    });
    const jwt = hit!.authorization!.replace(/^Bearer /, '');
    expect(decodeProtectedHeader(jwt)).toMatchObject({ alg: 'ES256', kid: signer.jwks.keys[0]!.kid });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({ iss: AGENT, aud: hookUrl(), taskId: 'task-1' });
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(300);
    expect(claims[BODY_SHA256_CLAIM]).toMatch(/^[0-9a-f]{64}$/);
    await expect(
      verifyPushNotification(
        { authorization: hit!.authorization, body: hit!.body },
        { issuer: AGENT, audience: hookUrl(), keys: createLocalJWKSet(signer.jwks) },
      ),
    ).resolves.toMatchObject({ taskId: 'task-1' });
  });

  it('retries 5xx and 429 with growing delays, with the same token, then stops on success', async () => {
    const signer = await createPushSigner({ issuer: AGENT, key: { secret: 'k'.repeat(32), keyName: 'pm' } });
    const sender = await senderFor(signer, { baseDelayMs: 40, maxDelayMs: 1000 });
    script = [503, 429, 200];
    await sender.send(statusEvent('task-1', TaskState.TASK_STATE_COMPLETED), call);
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.authorization)).size).toBe(1);
    const gaps = [received[1]!.at - received[0]!.at, received[2]!.at - received[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(30);
    expect(gaps[1]).toBeGreaterThan(gaps[0]! * 1.2);
  });

  it('gives up after the bounded number of attempts, and never retries a 4xx', async () => {
    const signer = await createPushSigner({ issuer: AGENT, key: { secret: 'k'.repeat(32), keyName: 'pm' } });
    const sender = await senderFor(signer);
    script = [500, 500, 500, 500, 500, 500];
    await sender.send(statusEvent('task-1', TaskState.TASK_STATE_WORKING), call);
    expect(received).toHaveLength(4);
    received = [];
    script = [400, 200];
    await sender.send(statusEvent('task-1', TaskState.TASK_STATE_WORKING), call);
    expect(received).toHaveLength(1);
  });

  it('delivers one task’s notifications in event order even when the first is retried', async () => {
    const signer = await createPushSigner({ issuer: AGENT, key: { secret: 'k'.repeat(32), keyName: 'pm' } });
    const sender = await senderFor(signer);
    script = [503, 200, 200];
    await Promise.all([
      sender.send(statusEvent('task-1', TaskState.TASK_STATE_WORKING), call),
      sender.send(statusEvent('task-1', TaskState.TASK_STATE_COMPLETED), call),
    ]);
    const states = received.map((r) => JSON.parse(r.body).statusUpdate.status.state);
    expect(states).toEqual(['TASK_STATE_WORKING', 'TASK_STATE_WORKING', 'TASK_STATE_COMPLETED']);
  });
});

describe('webhook URL check', () => {
  const store = checkedPushStore(new InMemoryPushNotificationStore(), (u) => u.hostname !== 'blocked.test');
  const config = (url: string) => ({
    tenant: '',
    id: '',
    taskId: 't',
    url,
    token: '',
    authentication: undefined,
  });

  it.each([
    'ftp://example.com/hook',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
    '/relative/hook',
    'https://user:pass@example.com/hook',
    'https://blocked.test/hook',
  ])('refuses %s as invalid params', async (url) => {
    await expect(store.save('t', call, config(url))).rejects.toBeInstanceOf(RequestMalformedError);
    expect(await store.load('t', call)).toEqual([]);
  });

  it('accepts http and https', async () => {
    await store.save('t', call, { ...config('https://example.com/hook'), id: 'a' });
    await store.save('t', call, { ...config('http://127.0.0.1:9/hook'), id: 'b' });
    expect((await store.load('t', call)).map((c) => c.id)).toEqual(['a', 'b']);
  });
});
