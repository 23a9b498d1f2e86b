import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  type CallToolResult,
  type ResourceUpdatedNotification,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '@stockpulse/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Principal } from '../src/auth/index.js';
import {
  argsDigest,
  argsDigestInterleaved,
  canonicalJson,
  defineResourceTemplate,
  defineTool,
  jsonContents,
  type McpServerSpec,
  rememberVerifiedCredentials,
} from '../src/mcp/index.js';
import { serveMcpSpec, startTestIssuer, type TestIssuer } from '../src/testing.js';

/**
 * How `mountMcpHttp` answers: plain calls as one JSON body, calls that want progress as a resumable
 * SSE stream; cancellation reaching a plain call; resource subscriptions with update notifications.
 */
const ALICE = '11111111-1111-4111-8111-111111111111';
const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const aborted: string[] = [];
const prices = new Map<string, number>([['AAPL', 190]]);
const watchers = new Map<string, Set<() => void>>();
const setPrice = (symbol: string, price: number) => {
  prices.set(symbol, price);
  for (const changed of watchers.get(symbol) ?? []) changed();
};

const spec: McpServerSpec = {
  name: 'mcp-http-test',
  version: '0.0.1',
  tools: [
    defineTool({
      name: 'add',
      title: 'Add',
      description: 'a + b',
      input: { a: z.number(), b: z.number() },
      output: { sum: z.number() },
      annotations: readOnly,
      handler: async ({ a, b }) => ({ sum: a + b }),
    }),
    defineTool({
      name: 'wait',
      title: 'Wait',
      description: 'Waits until cancelled.',
      input: { tag: z.string() },
      output: { done: z.boolean() },
      annotations: readOnly,
      handler: ({ tag }, { signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted.push(tag);
            resolve({ done: false });
          });
        }),
    }),
  ],
  resourceTemplates: [
    defineResourceTemplate({
      name: 'price',
      uriTemplate: 'test://prices/{symbol}',
      mimeType: 'application/json',
      read: async (uri, { symbol }) => jsonContents(uri, { symbol, price: prices.get(String(symbol)) }),
      watch: async (_uri, { symbol }, _ctx, changed) => {
        const s = String(symbol);
        if (!prices.has(s)) throw new AppError('not_found', `Unknown symbol ${s}`);
        const set = watchers.get(s) ?? new Set();
        watchers.set(s, set);
        set.add(changed);
        return () => set.delete(changed);
      },
    }),
  ],
};

let issuer: TestIssuer;
let server: { url: string; close(): Promise<void> };
let token = '';

beforeAll(async () => {
  issuer = await startTestIssuer();
  server = await serveMcpSpec(spec, issuer);
  token = await issuer.sign(ALICE, 'read');
});
afterAll(async () => {
  await server?.close();
  await issuer?.close();
});

async function connect() {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'http-test', version: '0' });
  await client.connect(transport);
  return { client, sessionId: transport.sessionId! };
}

const post = (sessionId: string, body: unknown) =>
  fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-session-id': sessionId,
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify(body),
  });

describe('answers on an open session', () => {
  it('answers a plain call with one JSON body carrying the session id', async () => {
    const { client, sessionId } = await connect();
    const res = await post(sessionId, {
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 2, b: 3 } },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('mcp-session-id')).toBe(sessionId);
    expect(await res.json()).toMatchObject({
      jsonrpc: '2.0',
      id: 7,
      result: { structuredContent: { sum: 5 } },
    });
    await client.close();
  });

  it('streams a call that asks for progress as resumable SSE', async () => {
    const { client, sessionId } = await connect();
    const res = await post(sessionId, {
      jsonrpc: '2.0',
      id: 8,
      method: 'tools/call',
      params: { name: 'add', arguments: { a: 1, b: 1 }, _meta: { progressToken: 'p1' } },
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const body = await res.text();
    expect(body).toMatch(/^id: \d+\ndata: \n/m);
    expect(body).toMatch(/^event: message\nid: \d+\ndata: \{.*"sum":2/m);
    await client.close();
  });

  it('keeps the SDK answers for bad requests: unparsable JSON, unsupported protocol version', async () => {
    const { client, sessionId } = await connect();
    const bad = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: '{not json',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32700 } });
    const res = await fetch(`${server.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '1999-01-01',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(400);
    await client.close();
  });

  it('delivers a cancellation to a plain call in flight', async () => {
    const { client } = await connect();
    const controller = new AbortController();
    const call = client.callTool({ name: 'wait', arguments: { tag: 'c1' } }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(aborted).toEqual([]), { timeout: 100 });
    controller.abort('user gave up');
    await expect(call).rejects.toThrow();
    await vi.waitFor(() => expect(aborted).toEqual(['c1']), { timeout: 2000 });
    await client.close();
  });

  it('runs many concurrent plain calls on one session', async () => {
    const { client } = await connect();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.callTool({ name: 'add', arguments: { a: i, b: 1 } })),
    );
    expect(results.map((r) => (r as CallToolResult).structuredContent)).toEqual(
      Array.from({ length: 20 }, (_, i) => ({ sum: i + 1 })),
    );
    await client.close();
  });
});

describe('resource subscriptions', () => {
  it('declares subscribe, notifies a subscriber of each change, and stops after unsubscribe', async () => {
    const { client } = await connect();
    expect(client.getServerCapabilities()?.resources?.subscribe).toBe(true);
    const updates: ResourceUpdatedNotification['params'][] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
      updates.push(n.params);
    });
    await client.subscribeResource({ uri: 'test://prices/AAPL' });
    setPrice('AAPL', 191);
    await vi.waitFor(() => expect(updates).toEqual([{ uri: 'test://prices/AAPL' }]), { timeout: 2000 });
    const read = await client.readResource({ uri: 'test://prices/AAPL' });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ symbol: 'AAPL', price: 191 });

    // A burst of changes in one tick is one notification.
    setPrice('AAPL', 192);
    setPrice('AAPL', 193);
    await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 2000 });

    await client.unsubscribeResource({ uri: 'test://prices/AAPL' });
    expect(watchers.get('AAPL')?.size).toBe(0);
    setPrice('AAPL', 194);
    await new Promise((r) => setTimeout(r, 100));
    expect(updates).toHaveLength(2);
    await client.close();
  });

  it('refuses what cannot be watched with the resource error codes', async () => {
    const { client } = await connect();
    await expect(client.subscribeResource({ uri: 'test://prices/NOPE' })).rejects.toMatchObject({
      code: -32002,
      data: { code: 'not_found' },
    });
    await expect(client.subscribeResource({ uri: 'test://elsewhere/x' })).rejects.toMatchObject({
      code: -32002,
    });
    await client.close();
  });

  it('stops watching when the session ends', async () => {
    const { client } = await connect();
    await client.subscribeResource({ uri: 'test://prices/AAPL' });
    expect(watchers.get('AAPL')?.size).toBe(1);
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await client.close();
    await vi.waitFor(() => expect(watchers.get('AAPL')?.size).toBe(0), { timeout: 2000 });
  });
});

describe('rememberVerifiedCredentials', () => {
  const jwt = (exp: number) =>
    `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'u', exp })).toString('base64url')}.sig`;
  const principalFor = (token: string, via: Principal['via'] = 'jwt'): Principal => ({
    kind: 'user',
    subject: 'u',
    userId: 'u',
    scopes: ['read'],
    via,
    token,
  });

  it('verifies a JWT once within the ttl and never past its exp', async () => {
    const now = Date.now();
    const fresh = jwt(Math.floor(now / 1000) + 3600);
    const verify = vi.fn(async (h: string | null | undefined) => principalFor(h!.slice(7)));
    const cached = rememberVerifiedCredentials(verify, { ttlMs: 30_000 });
    await cached(`Bearer ${fresh}`);
    await cached(`Bearer ${fresh}`);
    expect(verify).toHaveBeenCalledTimes(1);
    vi.useFakeTimers({ now: now + 31_000 });
    try {
      await cached(`Bearer ${fresh}`);
      expect(verify).toHaveBeenCalledTimes(2);
    } finally {
      vi.useRealTimers();
    }
    const nearlyExpired = jwt(Math.floor(now / 1000) + 1);
    await cached(`Bearer ${nearlyExpired}`);
    vi.useFakeTimers({ now: now + 2_000 });
    try {
      await cached(`Bearer ${nearlyExpired}`);
      expect(verify).toHaveBeenCalledTimes(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('never caches API keys or failures', async () => {
    let fail = true;
    const verify = vi.fn(async (h: string | null | undefined) => {
      if (fail) throw new AppError('unauthenticated', 'no');
      return principalFor(h!.slice(7), 'api_key');
    });
    const cached = rememberVerifiedCredentials(verify, { ttlMs: 30_000 });
    await expect(cached('Bearer spk_x')).rejects.toThrow('no');
    fail = false;
    await cached('Bearer spk_x');
    await cached('Bearer spk_x');
    expect(verify).toHaveBeenCalledTimes(3);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and matches the replacer-based definition', () => {
    const value = {
      b: [{ z: 1, a: { d: null, c: 'x' } }, 3, 'y'],
      a: new Date('2026-01-02T03:04:05Z'),
      10: 'ten',
      9: 'nine',
      u: undefined,
    };
    const reference = JSON.stringify(value, (_k, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
        : v,
    );
    expect(canonicalJson(value)).toBe(reference);
    expect(canonicalJson(value)).toBe(
      '{"9":"nine","10":"ten","a":"2026-01-02T03:04:05.000Z","b":[{"a":{"c":"x","d":null},"z":1},3,"y"]}',
    );
    expect(argsDigest({ x: 1, y: [2] })).toBe(argsDigest({ y: [2], x: 1 }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('digests large arguments in slices to the very same digest', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ z: i, a: `row ${i}`, m: { y: [i], b: null } }));
    const values: unknown[] = [
      { bars: rows, interval: '1m', 2: 'two', 10: 'ten', skip: undefined, at: new Date(0) },
      { nested: { deeper: [rows.slice(0, 100), [1, 2, 3]] } },
      [rows, Array.from({ length: 70 }, (_, i) => (i % 2 ? undefined : i))],
      {},
      { only: undefined },
      'text',
    ];
    for (const value of values) expect(await argsDigestInterleaved(value)).toBe(argsDigest(value));
  });
});
