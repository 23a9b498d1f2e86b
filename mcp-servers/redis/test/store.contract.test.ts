import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../src/store/memory.js';
import type { Store } from '../src/store/port.js';
import { RedisStore } from '../src/store/redis.js';

/** The same behavioural suite for every adapter of the store port. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Every key of this run lives under its own prefix, removed afterwards: safe on a shared Redis.
const NAMESPACE = `sp-test:${randomBytes(6).toString('hex')}:`;
const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Open = (opts?: { streamMaxLen?: number; namespace?: string }) => Promise<Store>;
const backends: Array<[string, Open]> = [
  ['memory', async (opts) => new MemoryStore(opts)],
  [
    'redis',
    async (opts) => {
      const store = new RedisStore({
        url: REDIS_URL,
        ...opts,
        namespace: `${NAMESPACE}${opts?.namespace ?? ''}`,
      });
      await store.ready();
      return store;
    },
  ],
];

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${NAMESPACE}*`, 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
});

describe.each(backends)('store port on %s', (kind, open) => {
  let store: Store;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  it('reports its kind and answers ping', async () => {
    expect(store.kind).toBe(kind);
    await expect(store.ping()).resolves.toBeUndefined();
  });

  describe('cache', () => {
    it('stores a value with a TTL and expires it', async () => {
      expect(await store.cacheSet(A, 'ttl:short', 'v1', 500)).toBe(true);
      const hit = await store.cacheGet(A, 'ttl:short');
      expect(hit?.value).toBe('v1');
      expect(hit!.ttlMs).toBeGreaterThan(0);
      expect(hit!.ttlMs).toBeLessThanOrEqual(500);
      await sleep(650);
      expect(await store.cacheGet(A, 'ttl:short')).toBeNull();
    });

    it('overwrites, honours onlyIfAbsent, and deletes', async () => {
      await store.cacheSet(A, 'k.1', 'first', 60_000);
      expect(await store.cacheSet(A, 'k.1', 'second', 60_000, { onlyIfAbsent: true })).toBe(false);
      expect((await store.cacheGet(A, 'k.1'))?.value).toBe('first');
      expect(await store.cacheSet(A, 'k.1', 'third', 60_000)).toBe(true);
      expect((await store.cacheGet(A, 'k.1'))?.value).toBe('third');
      expect(await store.cacheDelete(A, 'k.1')).toBe(true);
      expect(await store.cacheDelete(A, 'k.1')).toBe(false);
      expect(await store.cacheSet(A, 'k.1', 'fourth', 60_000, { onlyIfAbsent: true })).toBe(true);
    });

    it('keeps unicode and 64 KiB values intact', async () => {
      const big = 'é'.repeat(32 * 1024); // 64 KiB of UTF-8
      await store.cacheSet(A, 'big', big, 60_000);
      expect((await store.cacheGet(A, 'big'))?.value).toBe(big);
    });

    it('refuses malformed keys and tenants', async () => {
      await expect(store.cacheGet(A, 'has space')).rejects.toMatchObject({ code: 'bad_request' });
      await expect(store.cacheGet(A, '')).rejects.toMatchObject({ code: 'bad_request' });
      await expect(store.cacheGet(`${A}:c:x`, 'k')).rejects.toMatchObject({ code: 'forbidden' });
    });
  });

  describe('tenant isolation', () => {
    it('gives each tenant its own key under the same name', async () => {
      await store.cacheSet(A, 'shared:name', 'alice', 60_000);
      expect(await store.cacheGet(B, 'shared:name')).toBeNull();
      expect(await store.cacheDelete(B, 'shared:name')).toBe(false);
      await store.cacheSet(B, 'shared:name', 'bob', 60_000);
      expect((await store.cacheGet(A, 'shared:name'))?.value).toBe('alice');
      expect((await store.cacheGet(B, 'shared:name'))?.value).toBe('bob');
    });

    it('cannot reach another tenant through a crafted key', async () => {
      await store.cacheSet(A, 'secret', 'alice-only', 60_000);
      for (const crafted of [`t:${A}:c:secret`, `:${A}:c:secret`, `../${A}:c:secret`]) {
        const got = await store.cacheGet(B, crafted).catch(() => null);
        expect(got).toBeNull();
      }
    });

    it('keeps rate limits and streams per tenant', async () => {
      expect((await store.rateLimit(A, 'iso', 1, 60_000)).allowed).toBe(true);
      expect((await store.rateLimit(A, 'iso', 1, 60_000)).allowed).toBe(false);
      expect((await store.rateLimit(B, 'iso', 1, 60_000)).allowed).toBe(true);

      await store.publish(A, 'risk-alerts', { for: 'alice' });
      expect(await store.readGroup(B, 'risk-alerts', 'g', 'c', 10)).toEqual([]);
      const mine = await store.readGroup(A, 'risk-alerts', 'g', 'c', 10);
      expect(mine.map((m) => m.payload)).toEqual([{ for: 'alice' }]);
    });
  });

  describe('rate limit', () => {
    it('slides the window: one slot frees up as the oldest hit leaves it', async () => {
      const WINDOW = 1000;
      const hit = () => store.rateLimit(A, 'rl:slide', 2, WINDOW);
      const t1 = Date.now();
      expect(await hit()).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
      await sleep(400);
      const t2 = Date.now();
      expect(await hit()).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
      const refused = await hit();
      expect(refused.allowed).toBe(false);
      expect(refused.remaining).toBe(0);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(t1 + WINDOW - t2 + 50); // waits for the first hit only

      await sleep(Math.max(0, t1 + WINDOW + 100 - Date.now())); // first hit out, second still in
      expect(await hit()).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });
      const tAgain = Date.now();
      const again = await hit();
      expect(again.allowed).toBe(false);
      expect(again.retryAfterMs).toBeGreaterThan(0);
      expect(again.retryAfterMs).toBeLessThanOrEqual(t2 + WINDOW - tAgain + 50); // the second hit's turn
    });
  });

  describe('streams with consumer groups', () => {
    it('shares work between consumers, tracks pending, claims idle entries, and acks', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++)
        ids.push(await store.publish(A, 'trade-executions', { n: i, note: 'ünïcode' }));
      expect(ids.every((id) => /^\d+-\d+$/.test(id))).toBe(true);

      const first = await store.readGroup(A, 'trade-executions', 'workers', 'c1', 3);
      const second = await store.readGroup(A, 'trade-executions', 'workers', 'c2', 10);
      expect(first.map((m) => m.id)).toEqual(ids.slice(0, 3));
      expect(second.map((m) => m.id)).toEqual(ids.slice(3));
      expect(second[0]?.payload).toEqual({ n: 3, note: 'ünïcode' });
      expect(await store.readGroup(A, 'trade-executions', 'workers', 'c1', 10)).toEqual([]);

      let pending = await store.pending(A, 'trade-executions', 'workers', 10);
      expect(pending).toMatchObject({
        total: 6,
        smallestId: ids[0],
        greatestId: ids[5],
        consumers: [
          { name: 'c1', pending: 3 },
          { name: 'c2', pending: 3 },
        ],
      });
      expect(pending.oldest.map((e) => [e.id, e.consumer, e.deliveries])).toEqual(
        ids.map((id, i) => [id, i < 3 ? 'c1' : 'c2', 1]),
      );

      expect(await store.ack(A, 'trade-executions', 'workers', ids.slice(0, 3))).toBe(3);
      expect(await store.ack(A, 'trade-executions', 'workers', ids.slice(0, 3))).toBe(0);

      // c2 "dies" holding three messages: nothing is idle long enough yet, then c1 takes them over.
      const early = await store.claim(A, 'trade-executions', 'workers', 'c1', 60_000, 10);
      expect(early).toEqual({ messages: [], nextCursor: null, deletedIds: [] });
      await sleep(150);
      const claimed = await store.claim(A, 'trade-executions', 'workers', 'c1', 100, 10);
      expect(claimed.messages.map((m) => m.id)).toEqual(ids.slice(3));
      expect(claimed.messages[2]?.payload).toEqual({ n: 5, note: 'ünïcode' });
      expect(claimed.nextCursor).toBeNull();

      pending = await store.pending(A, 'trade-executions', 'workers', 1);
      expect(pending.total).toBe(3);
      expect(pending.consumers).toEqual([{ name: 'c1', pending: 3 }]);
      expect(pending.oldest).toHaveLength(1);
      expect(pending.oldest[0]).toMatchObject({ id: ids[3], consumer: 'c1', deliveries: 2 });
      expect(pending.oldest[0]!.idleMs).toBeLessThan(1000); // reset by the claim

      expect(await store.ack(A, 'trade-executions', 'workers', ids.slice(3))).toBe(3);
      expect(await store.pending(A, 'trade-executions', 'workers', 10)).toEqual({
        total: 0,
        smallestId: null,
        greatestId: null,
        consumers: [],
        oldest: [],
      });
    });

    it('pages claims with a cursor', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await store.publish(A, 'ai-insights', { i }));
      await store.readGroup(A, 'ai-insights', 'pager', 'dead', 10);
      const page1 = await store.claim(A, 'ai-insights', 'pager', 'alive', 0, 2);
      expect(page1.messages.map((m) => m.id)).toEqual(ids.slice(0, 2));
      expect(page1.nextCursor).toBe(ids[2]);
      const page2 = await store.claim(A, 'ai-insights', 'pager', 'alive', 0, 10, page1.nextCursor!);
      expect(page2.messages.map((m) => m.id)).toEqual(ids.slice(2));
      expect(page2.nextCursor).toBeNull();
    });

    it('starts a new group at the oldest kept message or after the newest', async () => {
      const old = await store.publish(A, 'market-data', { seq: 1 });
      expect((await store.readGroup(A, 'market-data', 'from-start', 'c', 10)).map((m) => m.id)).toEqual([
        old,
      ]);
      expect(await store.readGroup(A, 'market-data', 'from-now', 'c', 10, { groupStart: 'latest' })).toEqual(
        [],
      );
      const fresh = await store.publish(A, 'market-data', { seq: 2 });
      expect((await store.readGroup(A, 'market-data', 'from-now', 'c', 10)).map((m) => m.id)).toEqual([
        fresh,
      ]);
    });

    it('answers not_found for an unknown group, and acks nothing there', async () => {
      await expect(store.pending(A, 'market-data', 'nobody', 10)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.claim(A, 'market-data', 'nobody', 'c', 0, 10)).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(store.pending(B, 'ai-insights', 'pager', 10)).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.ack(A, 'market-data', 'nobody', ['1-0'])).toBe(0);
      await expect(store.ack(A, 'market-data', 'g', ['not-an-id'])).rejects.toMatchObject({
        code: 'bad_request',
      });
    });
  });

  describe('shared market-data topic', () => {
    it('gives each user their own consumer groups on the one stream', async () => {
      const first = await store.publish(A, 'market-data', { seq: 'shared-1' });
      const a = await store.readGroup(A, 'market-data', 'same-name', 'c', 100);
      const b = await store.readGroup(B, 'market-data', 'same-name', 'c', 100);
      expect(a.map((m) => m.id)).toContain(first);
      expect(b.map((m) => m.id)).toEqual(a.map((m) => m.id)); // same stream, separate groups
      expect((await store.pending(A, 'market-data', 'same-name', 0)).total).toBe(a.length);
      expect(await store.ack(B, 'market-data', 'same-name', [first])).toBe(1);
      expect((await store.pending(A, 'market-data', 'same-name', 0)).total).toBe(a.length);
      await expect(store.pending(B, 'market-data', 'only-a-has-it', 0)).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });

  describe('live quotes', () => {
    let quotes: Store;
    let other: Store;
    beforeAll(async () => {
      // A namespace of their own: quotes also go to the shared market-data stream.
      quotes = await open({ namespace: 'quotes:' });
      other = kind === 'redis' ? await open({ namespace: 'quotes:' }) : quotes;
    });
    afterAll(async () => {
      await quotes.close();
      if (other !== quotes) await other.close();
    });
    const q = (symbol: string, price: string, ts: string) => ({ symbol, price, ts });

    it('keeps the newest quote per symbol, counts late ones as stale, and streams what it stored', async () => {
      await quotes.readGroup(A, 'market-data', 'feed', 'c', 100, { groupStart: 'latest' });
      expect(
        await quotes.putQuotes([
          q('AAPL', '190.00', '2026-03-09T14:30:00Z'),
          q('MSFT', '410.00', '2026-03-09T14:30:00Z'),
          q('AAPL', '190.50', '2026-03-09T14:30:01Z'),
          q('AAPL', '189.00', '2026-03-09T14:29:00Z'),
        ]),
      ).toEqual({ written: ['AAPL', 'MSFT', 'AAPL'], stale: 1 });
      expect(await quotes.putQuotes([q('MSFT', '410.00', '2026-03-09T14:30:00Z')])).toEqual({
        written: [],
        stale: 1,
      });
      expect(await quotes.getQuote('AAPL')).toEqual(q('AAPL', '190.50', '2026-03-09T14:30:01Z'));
      expect(await quotes.getQuote('NVDA')).toBeNull();
      expect(await quotes.quotedSymbols(10)).toEqual(['AAPL', 'MSFT']);
      const streamed = await quotes.readGroup(A, 'market-data', 'feed', 'c', 100);
      expect(streamed.map((m) => m.payload)).toEqual([
        { type: 'quote', ...q('AAPL', '190.00', '2026-03-09T14:30:00Z') },
        { type: 'quote', ...q('MSFT', '410.00', '2026-03-09T14:30:00Z') },
        { type: 'quote', ...q('AAPL', '190.50', '2026-03-09T14:30:01Z') },
      ]);
    });

    it('checks the whole batch before storing any of it', async () => {
      await expect(
        quotes.putQuotes([
          q('AMD', '170.00', '2026-03-09T14:30:00Z'),
          q('bad symbol', '1', '2026-03-09T14:30:00Z'),
        ]),
      ).rejects.toMatchObject({ code: 'bad_request' });
      await expect(quotes.putQuotes([q('AMD', '170.00', 'yesterday')])).rejects.toMatchObject({
        code: 'bad_request',
      });
      expect(await quotes.getQuote('AMD')).toBeNull();
    });

    it('tells watchers which symbols changed, also those of another store on the same backend', async () => {
      const seen: string[][] = [];
      const stop = other.watchQuotes((symbols) => seen.push([...symbols]));
      if (other instanceof RedisStore) await other.quotesListening();
      await quotes.putQuotes([
        q('TSLA', '175.00', '2026-03-09T15:00:00Z'),
        q('AAPL', '100.00', '2020-01-01T00:00:00Z'),
      ]);
      await vi.waitFor(() => expect(seen).toEqual([['TSLA']]), { timeout: 3000 });
      stop();
      await quotes.putQuotes([q('TSLA', '176.00', '2026-03-09T15:01:00Z')]);
      await sleep(100);
      expect(seen).toEqual([['TSLA']]);
    });
  });

  describe('stream trimming', () => {
    let small: Store;
    beforeAll(async () => {
      small = await open({ streamMaxLen: 3 });
    });
    afterAll(async () => {
      await small.close();
    });

    it('keeps the newest entries and drops trimmed ones from the pending list on claim', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await small.publish(B, 'risk-alerts', { i }));
      const read = await small.readGroup(B, 'risk-alerts', 'trim', 'c', 10);
      expect(read.map((m) => m.id)).toEqual(ids.slice(2));
      for (let i = 5; i < 8; i++) ids.push(await small.publish(B, 'risk-alerts', { i }));
      const claimed = await small.claim(B, 'risk-alerts', 'trim', 'c', 0, 10);
      expect(claimed.messages).toEqual([]);
      expect(claimed.deletedIds).toEqual(ids.slice(2, 5));
      expect((await small.pending(B, 'risk-alerts', 'trim', 10)).total).toBe(0);
      expect((await small.readGroup(B, 'risk-alerts', 'trim', 'c', 10)).map((m) => m.id)).toEqual(
        ids.slice(5),
      );
    });
  });
});

describe('redis store namespacing and failure', () => {
  it('writes under <namespace>t:<tenant>:c:<key>', async () => {
    const store = new RedisStore({ url: REDIS_URL, namespace: NAMESPACE });
    const raw = new Redis(REDIS_URL);
    try {
      await store.ready();
      await store.cacheSet(A, 'layout', 'x', 60_000);
      expect(await raw.get(`${NAMESPACE}t:${A}:c:layout`)).toBe('x');
      expect(await raw.pttl(`${NAMESPACE}t:${A}:c:layout`)).toBeGreaterThan(0);
    } finally {
      await store.close();
      await raw.quit();
    }
  });

  it('fails fast with unavailable when Redis cannot be reached', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1' });
    try {
      const t0 = Date.now();
      await expect(store.cacheGet(A, 'k')).rejects.toMatchObject({ code: 'unavailable' });
      await expect(store.publish(A, 'market-data', {})).rejects.toMatchObject({ code: 'unavailable' });
      await expect(store.ping()).rejects.toMatchObject({ code: 'unavailable' });
      expect(Date.now() - t0).toBeLessThan(1000);
      await expect(store.ready(200)).rejects.toMatchObject({ code: 'unavailable' });
    } finally {
      await store.close();
    }
  });
});
