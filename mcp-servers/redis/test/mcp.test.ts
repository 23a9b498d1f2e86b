import { randomBytes } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  type CallToolResult,
  type ResourceUpdatedNotification,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import {
  connectMcpClient,
  serveMcpSpec,
  startTestIssuer,
  type TestIssuer,
} from '@stockpulse/protocols/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisServerSpec } from '../src/server.js';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/port.js';
import { RedisStore } from '../src/store/redis.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const NAMESPACE = `sp-test:${randomBytes(6).toString('hex')}:`;
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const ALL_TOOLS = [
  'cache_get',
  'cache_set',
  'cache_delete',
  'rate_limit_check',
  'stream_publish',
  'stream_read',
  'stream_ack',
  'stream_pending',
  'stream_claim',
  'publish_quotes',
  'deliver_event',
];

// --- a JWKS-only auth server and tokens ------------------------------------------------------------
let issuer: TestIssuer;
const tokens = { alice: '', bob: '', service: '', feed: '' };

beforeAll(async () => {
  issuer = await startTestIssuer();
  const sign = issuer.sign;
  tokens.alice = await sign(ALICE, 'read');
  tokens.bob = await sign(BOB, 'read');
  tokens.service = await sign('service:portfolio-manager', 'read service');
  tokens.feed = await sign('service:market-data', 'service');
});

afterAll(async () => {
  await issuer?.close();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${NAMESPACE}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

/** Serve a spec the way runMcpService does, on a free port. */
async function serve(spec: McpServerSpec) {
  return serveMcpSpec(spec, issuer);
}

async function connect(url: string, token: string) {
  return connectMcpClient(url, token);
}

function errorBody(result: CallToolResult) {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return JSON.parse(first?.type === 'text' ? first.text : '') as { error: { code: string; message: string } };
}

function errorText(result: CallToolResult): string {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

const backends: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => new MemoryStore()],
  [
    'redis',
    async () => {
      const store = new RedisStore({ url: REDIS_URL, namespace: NAMESPACE });
      await store.ready();
      return store;
    },
  ],
];

describe.each(backends)('redis MCP server over Streamable HTTP (%s store)', (_kind, open) => {
  let store: Store;
  let spec: McpServerSpec;
  let server: Awaited<ReturnType<typeof serve>>;
  let alice: Client;
  let bob: Client;

  beforeAll(async () => {
    store = await open();
    spec = redisServerSpec(store);
    server = await serve(spec);
    alice = await connect(server.url, tokens.alice);
    bob = await connect(server.url, tokens.bob);
  });
  afterAll(async () => {
    await Promise.all([alice?.close(), bob?.close()]);
    await server?.close();
    await store?.close();
  });

  /** Call a tool and check its structuredContent against the schema the tool declares. */
  async function call(client: Client, name: string, args: Record<string, unknown>) {
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const tool = spec.tools.find((t) => t.name === name)!;
    return tool.outputSchema.parse(result.structuredContent) as Record<string, unknown>;
  }

  it('lists every tool with honest annotations and both schemas', async () => {
    const { tools } = await alice.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    for (const t of tools) {
      expect(t.outputSchema?.type).toBe('object');
      expect(t.annotations?.openWorldHint).toBe(false);
    }
    const readOnly = tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name);
    expect(readOnly).toEqual(['cache_get', 'stream_pending']);
    const destructive = tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name);
    expect(destructive).toEqual(['cache_set', 'cache_delete', 'stream_ack']);
    const cacheSet = tools.find((t) => t.name === 'cache_set')!;
    expect(cacheSet.inputSchema.required).toEqual(expect.arrayContaining(['key', 'value', 'ttlSeconds']));
    expect(cacheSet.inputSchema.properties?.ttlSeconds).toMatchObject({ minimum: 1, maximum: 86_400 });
  });

  it('calls every tool with valid input and returns what each declares', async () => {
    expect(
      await call(alice, 'cache_set', { key: 'quotes:AAPL', value: '{"p":"189.20"}', ttlSeconds: 60 }),
    ).toMatchObject({
      key: 'quotes:AAPL',
      stored: true,
    });
    const got = await call(alice, 'cache_get', { key: 'quotes:AAPL' });
    expect(got).toMatchObject({ key: 'quotes:AAPL', found: true, value: '{"p":"189.20"}' });
    expect(got.ttlMs as number).toBeGreaterThan(50_000);
    expect(
      await call(alice, 'cache_set', { key: 'quotes:AAPL', value: 'x', ttlSeconds: 60, onlyIfAbsent: true }),
    ).toEqual({
      key: 'quotes:AAPL',
      stored: false,
      expiresAt: null,
    });
    expect(await call(alice, 'cache_delete', { key: 'quotes:AAPL' })).toEqual({
      key: 'quotes:AAPL',
      deleted: true,
    });
    expect(await call(alice, 'cache_get', { key: 'quotes:AAPL' })).toEqual({
      key: 'quotes:AAPL',
      found: false,
      value: null,
      ttlMs: null,
    });

    const rl = { key: 'orders', limit: 1, windowSeconds: 60 };
    expect(await call(alice, 'rate_limit_check', rl)).toEqual({
      key: 'orders',
      limit: 1,
      allowed: true,
      remaining: 0,
      retryAfterMs: 0,
    });
    const refused = await call(alice, 'rate_limit_check', rl);
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(refused.retryAfterMs as number).toBeGreaterThan(59_000);

    const published = await call(alice, 'stream_publish', {
      topic: 'trade-executions',
      payload: { orderId: 'o-1', symbol: 'AAPL', qty: '10', nested: { ok: true } },
    });
    expect(published.id).toMatch(/^\d+-\d+$/);
    const read = await call(alice, 'stream_read', {
      topic: 'trade-executions',
      group: 'ledger',
      consumer: 'w1',
      count: 10,
    });
    expect(read.messages).toEqual([
      { id: published.id, payload: { orderId: 'o-1', symbol: 'AAPL', qty: '10', nested: { ok: true } } },
    ]);
    const pending = await call(alice, 'stream_pending', { topic: 'trade-executions', group: 'ledger' });
    expect(pending).toMatchObject({
      total: 1,
      smallestId: published.id,
      consumers: [{ name: 'w1', pending: 1 }],
    });
    const claimed = await call(alice, 'stream_claim', {
      topic: 'trade-executions',
      group: 'ledger',
      consumer: 'w2',
      minIdleMs: 0,
    });
    expect(claimed).toMatchObject({ consumer: 'w2', nextCursor: null, deletedIds: [] });
    expect((claimed.messages as Array<{ id: string }>).map((m) => m.id)).toEqual([published.id]);
    expect(
      await call(alice, 'stream_ack', { topic: 'trade-executions', group: 'ledger', ids: [published.id] }),
    ).toEqual({ topic: 'trade-executions', group: 'ledger', acknowledged: 1 });
    expect(await call(alice, 'stream_pending', { topic: 'trade-executions', group: 'ledger' })).toMatchObject(
      {
        total: 0,
        oldest: [],
      },
    );
  });

  it('rejects invalid input cleanly, naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['cache_set', { key: 'k', value: 'v' }, /ttlSeconds/], // no immortal keys
      ['cache_set', { key: 'k', value: 'v', ttlSeconds: 0 }, /ttlSeconds/],
      ['cache_set', { key: 'k', value: 'v', ttlSeconds: 86_401 }, /ttlSeconds/],
      ['cache_set', { key: 'k', value: 'é'.repeat(40_000), ttlSeconds: 5 }, /value/],
      ['cache_get', { key: 'has space' }, /key/],
      ['cache_get', { key: 'k'.repeat(201) }, /key/],
      ['stream_publish', { topic: 'gossip', payload: {} }, /topic/],
      ['stream_publish', { topic: 'ai-insights', payload: { blob: 'x'.repeat(17_000) } }, /payload/],
      ['stream_publish', { topic: 'ai-insights', payload: [1, 2] }, /payload/],
      ['stream_read', { topic: 'ai-insights', group: 'g', consumer: 'c', count: 101 }, /count/],
      ['stream_read', { topic: 'ai-insights', group: 'g:x', consumer: 'c' }, /group/],
      ['stream_ack', { topic: 'ai-insights', group: 'g', ids: ['nope'] }, /ids/],
      ['rate_limit_check', { key: 'k', limit: 0, windowSeconds: 1 }, /limit/],
    ];
    for (const [name, args, field] of cases) {
      const result = (await alice.callTool({ name, arguments: args })) as CallToolResult;
      const text = errorText(result);
      expect(text, name).toMatch(/^MCP error -32602: Input validation error/);
      expect(text, name).toMatch(field);
    }
  });

  it('answers domain failures as AppError codes', async () => {
    const missing = (await alice.callTool({
      name: 'stream_pending',
      arguments: { topic: 'risk-alerts', group: 'never-created' },
    })) as CallToolResult;
    expect(errorBody(missing).error).toEqual({
      code: 'not_found',
      message: "No consumer group 'never-created' on topic 'risk-alerts'",
    });
  });

  it("keeps users apart: B sees neither A's cache key nor A's stream messages", async () => {
    await call(alice, 'cache_set', { key: 'watchlist', value: 'AAPL,MSFT', ttlSeconds: 60 });
    expect(await call(bob, 'cache_get', { key: 'watchlist' })).toMatchObject({ found: false, value: null });
    expect(await call(bob, 'cache_delete', { key: 'watchlist' })).toMatchObject({ deleted: false });
    expect(await call(alice, 'cache_get', { key: 'watchlist' })).toMatchObject({
      found: true,
      value: 'AAPL,MSFT',
    });

    const { id } = await call(alice, 'stream_publish', { topic: 'risk-alerts', payload: { level: 'high' } });
    const bobRead = await call(bob, 'stream_read', { topic: 'risk-alerts', group: 'alerts', consumer: 'b' });
    expect(bobRead.messages).toEqual([]);
    const bobAck = await call(bob, 'stream_ack', { topic: 'risk-alerts', group: 'alerts', ids: [id] });
    expect(bobAck.acknowledged).toBe(0);
    const aliceRead = await call(alice, 'stream_read', {
      topic: 'risk-alerts',
      group: 'alerts',
      consumer: 'a',
    });
    expect(aliceRead.messages).toEqual([{ id, payload: { level: 'high' } }]);
    expect((await call(bob, 'stream_pending', { topic: 'risk-alerts', group: 'alerts' })).total).toBe(0);
  });

  describe('live quotes', () => {
    let feed: Client;
    beforeAll(async () => {
      feed = await connect(server.url, tokens.feed);
    });
    afterAll(async () => {
      await feed?.close();
    });
    const quote = (symbol: string, price: string, ts: string) => ({ symbol, price, ts, source: 'test' });

    it('publishes quotes with the service scope only, skipping stale ones, and streams them to everyone', async () => {
      const denied = (await alice.callTool({
        name: 'publish_quotes',
        arguments: { quotes: [quote('AAPL', '190.00', '2026-03-09T14:30:00Z')] },
      })) as CallToolResult;
      expect(errorBody(denied).error).toEqual({
        code: 'forbidden',
        message: "Tool 'publish_quotes' needs the 'service' scope",
      });
      // Alice's consumer group on the shared topic starts after what is there now.
      await call(alice, 'stream_read', {
        topic: 'market-data',
        group: 'ticks',
        consumer: 'a',
        groupStart: 'latest',
      });
      const first = await call(feed, 'publish_quotes', {
        quotes: [
          quote('AAPL', '190.00', '2026-03-09T14:30:00Z'),
          { ...quote('MSFT', '410.5', '2026-03-09T14:30:00Z'), bid: '410.4', ask: '410.6', volume: 1200 },
        ],
      });
      expect(first).toEqual({ received: 2, written: 2, stale: 0, symbols: ['AAPL', 'MSFT'] });
      const again = await call(feed, 'publish_quotes', {
        quotes: [
          quote('AAPL', '190.00', '2026-03-09T14:30:00Z'),
          quote('AAPL', '189.00', '2026-03-09T14:29:00Z'),
        ],
      });
      expect(again).toEqual({ received: 2, written: 0, stale: 2, symbols: [] });

      const ticks = await call(alice, 'stream_read', { topic: 'market-data', group: 'ticks', consumer: 'a' });
      expect((ticks.messages as Array<{ payload: unknown }>).map((m) => m.payload)).toEqual([
        { type: 'quote', ...quote('AAPL', '190.00', '2026-03-09T14:30:00Z') },
        {
          type: 'quote',
          ...quote('MSFT', '410.5', '2026-03-09T14:30:00Z'),
          bid: '410.4',
          ask: '410.6',
          volume: 1200,
        },
      ]);
      // Bob's group of the same name is his own: it sees the same quotes, Alice's pending is not his.
      const bobTicks = await call(bob, 'stream_read', {
        topic: 'market-data',
        group: 'ticks',
        consumer: 'b',
      });
      expect(bobTicks.messages).toEqual(ticks.messages);
      const alicePending = await call(alice, 'stream_pending', { topic: 'market-data', group: 'ticks' });
      expect(alicePending.consumers).toEqual([{ name: 'a', pending: 2 }]);
      const publish = (await alice.callTool({
        name: 'stream_publish',
        arguments: { topic: 'market-data', payload: { fake: true } },
      })) as CallToolResult;
      expect(errorBody(publish).error.code).toBe('forbidden');
    });

    it('serves quote://{symbol} and notifies subscribers when the quote changes', async () => {
      const updates: ResourceUpdatedNotification['params'][] = [];
      alice.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updates.push(n.params);
      });
      const { resourceTemplates } = await alice.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['quote://{symbol}']);
      expect(alice.getServerCapabilities()?.resources?.subscribe).toBe(true);

      await alice.subscribeResource({ uri: 'quote://NVDA' }); // no quote yet: the first one notifies
      await expect(alice.readResource({ uri: 'quote://NVDA' })).rejects.toMatchObject({
        data: { code: 'not_found' },
      });
      await call(feed, 'publish_quotes', { quotes: [quote('NVDA', '880.10', '2026-03-09T14:31:00Z')] });
      await vi.waitFor(() => expect(updates).toEqual([{ uri: 'quote://NVDA' }]), { timeout: 3000 });
      const read = await alice.readResource({ uri: 'quote://NVDA' });
      expect(read.contents[0]).toMatchObject({ uri: 'quote://NVDA', mimeType: 'application/json' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual(
        quote('NVDA', '880.10', '2026-03-09T14:31:00Z'),
      );

      // Another symbol, or a stale quote, does not notify; unsubscribing stops the notifications.
      await call(feed, 'publish_quotes', {
        quotes: [
          quote('AMD', '170.00', '2026-03-09T14:31:00Z'),
          quote('NVDA', '870.00', '2026-03-09T14:30:00Z'),
        ],
      });
      await call(feed, 'publish_quotes', { quotes: [quote('NVDA', '881.00', '2026-03-09T14:32:00Z')] });
      await vi.waitFor(() => expect(updates).toHaveLength(2), { timeout: 3000 });
      await alice.unsubscribeResource({ uri: 'quote://NVDA' });
      await call(feed, 'publish_quotes', { quotes: [quote('NVDA', '882.00', '2026-03-09T14:33:00Z')] });
      await new Promise((r) => setTimeout(r, 150));
      expect(updates).toEqual([{ uri: 'quote://NVDA' }, { uri: 'quote://NVDA' }]);

      const listed = await alice.listResources();
      expect(listed.resources.map((r) => r.uri)).toEqual(
        expect.arrayContaining(['quote://AMD', 'quote://NVDA']),
      );
      await expect(alice.subscribeResource({ uri: 'quote://not_a_symbol' })).rejects.toMatchObject({
        data: { code: 'bad_request' },
      });
    });
  });

  it("lets a service deliver an event to one user's topic, and nobody else", async () => {
    const feed = await connect(server.url, tokens.feed);
    try {
      const group = { topic: 'risk-alerts', group: 'deliveries', consumer: 'a' };
      await call(alice, 'stream_read', { ...group, groupStart: 'latest' });
      const delivered = await call(feed, 'deliver_event', {
        userId: ALICE,
        topic: 'risk-alerts',
        payload: { alert: 'AAPL above 200' },
      });
      const read = await call(alice, 'stream_read', group);
      expect(read.messages).toEqual([{ id: delivered.id, payload: { alert: 'AAPL above 200' } }]);
      const asUser = (await bob.callTool({
        name: 'deliver_event',
        arguments: { userId: ALICE, topic: 'risk-alerts', payload: {} },
      })) as CallToolResult;
      expect(errorBody(asUser).error.code).toBe('forbidden');
      const shared = (await feed.callTool({
        name: 'deliver_event',
        arguments: { userId: ALICE, topic: 'market-data', payload: {} },
      })) as CallToolResult;
      expect(errorBody(shared).error.code).toBe('forbidden');
    } finally {
      await feed.close();
    }
  });

  it('refuses a service token that acts for no user', async () => {
    const svc = await connect(server.url, tokens.service);
    try {
      const result = (await svc.callTool({ name: 'cache_get', arguments: { key: 'k' } })) as CallToolResult;
      expect(errorBody(result).error).toEqual({
        code: 'forbidden',
        message: 'This action must be made on behalf of a user',
      });
    } finally {
      await svc.close();
    }
  });
});

describe('redis MCP server in read-only mode', () => {
  let store: MemoryStore;
  let server: Awaited<ReturnType<typeof serve>>;
  let client: Client;
  beforeAll(async () => {
    store = new MemoryStore();
    await store.cacheSet(ALICE, 'preset', 'seeded', 60_000);
    server = await serve(redisServerSpec(store, { readOnly: true }));
    client = await connect(server.url, tokens.alice);
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
    await store?.close();
  });

  it('lists no write tool and refuses to call one', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['cache_get', 'stream_pending']);
    expect(tools.every((t) => t.annotations?.readOnlyHint)).toBe(true);
    const set = (await client.callTool({
      name: 'cache_set',
      arguments: { key: 'k', value: 'v', ttlSeconds: 5 },
    })) as CallToolResult;
    expect(errorText(set)).toMatch(/Tool cache_set not found/);
    const get = (await client.callTool({
      name: 'cache_get',
      arguments: { key: 'preset' },
    })) as CallToolResult;
    expect(get.structuredContent).toMatchObject({ found: true, value: 'seeded' });
  });
});

describe('redis MCP server while Redis is down', () => {
  it('answers unavailable at once instead of hanging', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1' });
    const server = await serve(redisServerSpec(store));
    const client = await connect(server.url, tokens.alice);
    try {
      const t0 = Date.now();
      const result = (await client.callTool({
        name: 'cache_get',
        arguments: { key: 'k' },
      })) as CallToolResult;
      expect(errorBody(result).error).toEqual({ code: 'unavailable', message: 'Redis is unavailable' });
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      await client.close();
      await server.close();
      await store.close();
    }
  });
});

describe('live quotes across two redis MCP servers on one Redis', () => {
  it("notifies a subscriber of one server when the other server's publish_quotes writes", async () => {
    const namespace = `${NAMESPACE}x:`;
    const stores = [
      new RedisStore({ url: REDIS_URL, namespace }),
      new RedisStore({ url: REDIS_URL, namespace }),
    ] as const;
    await Promise.all(stores.map((s) => s.ready()));
    const servers = await Promise.all(stores.map((s) => serve(redisServerSpec(s))));
    const subscriber = await connect(servers[0]!.url, tokens.alice);
    const feed = await connect(servers[1]!.url, tokens.feed);
    try {
      const updates: string[] = [];
      subscriber.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updates.push(n.params.uri);
      });
      await subscriber.subscribeResource({ uri: 'quote://TSLA' });
      await stores[0].quotesListening();
      const result = (await feed.callTool({
        name: 'publish_quotes',
        arguments: { quotes: [{ symbol: 'TSLA', price: '175.20', ts: '2026-03-09T15:00:00Z' }] },
      })) as CallToolResult;
      expect(result.structuredContent).toMatchObject({ written: 1 });
      await vi.waitFor(() => expect(updates).toEqual(['quote://TSLA']), { timeout: 3000 });
      const read = await subscriber.readResource({ uri: 'quote://TSLA' });
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ price: '175.20' });
    } finally {
      await Promise.all([subscriber.close(), feed.close()]);
      await Promise.all(servers.map((s) => s.close()));
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
