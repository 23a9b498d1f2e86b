import { AppError } from '@stockpulse/core';
import {
  type CacheEntry,
  type ClaimResult,
  keyspace,
  LIMITS,
  type LiveQuote,
  MARKET_KEYS,
  type PendingSummary,
  type PutQuotesResult,
  parseMessageId,
  type QuoteListener,
  quoteTime,
  type RateLimitDecision,
  type ReadOptions,
  type Store,
  type StreamMessage,
  type StreamTopic,
} from './port.js';

export interface MemoryStoreOptions {
  /** Entries kept per stream (exact trim, like `XADD MAXLEN`); default 1000. */
  streamMaxLen?: number;
  /** Cache budget (UTF-8 bytes of keys and values); beyond it the oldest-written keys are evicted. Default 64 MiB. */
  maxCacheBytes?: number;
  /** How often expired keys and idle rate-limit windows are swept; default 5 s. */
  sweepIntervalMs?: number;
}

interface CacheSlot {
  value: string;
  expiresAt: number;
  bytes: number;
}

interface Window {
  /** Hit times, ascending. */
  hits: number[];
  expiresAt: number;
}

interface Entry {
  id: string;
  ms: number;
  seq: number;
  payload: string;
}

interface PendingSlot {
  consumer: string;
  deliveredAt: number;
  deliveries: number;
}

interface Group {
  lastDelivered: [number, number];
  /** Pending entries list, in id order: `>` reads deliver ascending ids and claims update in place. */
  pel: Map<string, PendingSlot>;
}

interface Stream {
  entries: Entry[];
  last: [number, number];
  groups: Map<string, Group>;
}

/**
 * The in-process store: Redis semantics for one process only. Nothing is shared between replicas and
 * nothing survives a restart; set `REDIS_URL` for anything beyond a single node.
 */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly cache = new Map<string, CacheSlot>();
  private cacheBytes = 0;
  private readonly windows = new Map<string, Window>();
  private readonly streams = new Map<string, Stream>();
  private readonly quotes = new Map<string, { ms: number; quote: LiveQuote }>();
  private readonly quoteListeners = new Set<QuoteListener>();
  private readonly streamMaxLen: number;
  private readonly maxCacheBytes: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(opts: MemoryStoreOptions = {}) {
    this.streamMaxLen = opts.streamMaxLen ?? 1000;
    this.maxCacheBytes = opts.maxCacheBytes ?? 64 * 1024 * 1024;
    this.sweeper = setInterval(() => this.sweep(), opts.sweepIntervalMs ?? 5000);
    this.sweeper.unref();
  }

  async cacheGet(tenant: string, key: string): Promise<CacheEntry | null> {
    const k = keyspace(tenant).cache(key);
    const now = Date.now();
    const slot = this.liveSlot(k, now);
    return slot ? { value: slot.value, ttlMs: slot.expiresAt - now } : null;
  }

  async cacheSet(
    tenant: string,
    key: string,
    value: string,
    ttlMs: number,
    opts: { onlyIfAbsent?: boolean } = {},
  ): Promise<boolean> {
    const k = keyspace(tenant).cache(key);
    const now = Date.now();
    if (opts.onlyIfAbsent && this.liveSlot(k, now)) return false;
    this.dropSlot(k);
    const slot = { value, expiresAt: now + ttlMs, bytes: Buffer.byteLength(k) + Buffer.byteLength(value) };
    this.cache.set(k, slot);
    this.cacheBytes += slot.bytes;
    // Over budget: evict the oldest-written keys (Map order is write order).
    for (const oldest of this.cache.keys()) {
      if (this.cacheBytes <= this.maxCacheBytes || oldest === k) break;
      this.dropSlot(oldest);
    }
    return true;
  }

  async cacheDelete(tenant: string, key: string): Promise<boolean> {
    const k = keyspace(tenant).cache(key);
    const existed = this.liveSlot(k, Date.now()) !== undefined;
    this.dropSlot(k);
    return existed;
  }

  async rateLimit(tenant: string, key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const k = keyspace(tenant).rateLimit(key);
    const now = Date.now();
    const w = this.windows.get(k) ?? { hits: [], expiresAt: 0 };
    // Same rule as the Redis script: a hit exactly `windowMs` old has left the window.
    const firstInside = w.hits.findIndex((t) => t > now - windowMs);
    w.hits = firstInside < 0 ? [] : w.hits.slice(firstInside);
    if (w.hits.length < limit) {
      w.hits.push(now);
      w.expiresAt = now + windowMs;
      this.windows.set(k, w);
      return { allowed: true, remaining: limit - w.hits.length, retryAfterMs: 0 };
    }
    this.windows.set(k, w);
    const freesAt = w.hits[w.hits.length - limit]! + windowMs;
    return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, freesAt - now) };
  }

  async publish(tenant: string, topic: StreamTopic, payload: Record<string, unknown>): Promise<string> {
    return this.append(keyspace(tenant).stream(topic), payload);
  }

  async putQuotes(quotes: readonly LiveQuote[]): Promise<PutQuotesResult> {
    const times = quotes.map(quoteTime);
    const written: string[] = [];
    let stale = 0;
    quotes.forEach((quote, i) => {
      const ms = times[i]!;
      const current = this.quotes.get(quote.symbol);
      if (current && current.ms >= ms) {
        stale++;
        return;
      }
      this.quotes.set(quote.symbol, { ms, quote });
      this.append(MARKET_KEYS.stream('market-data'), { type: 'quote', ...quote });
      written.push(quote.symbol);
    });
    if (written.length > 0) {
      for (const listener of this.quoteListeners) listener(written);
    }
    return { written, stale };
  }

  async getQuote(symbol: string): Promise<LiveQuote | null> {
    MARKET_KEYS.quote(symbol);
    return this.quotes.get(symbol)?.quote ?? null;
  }

  async quotedSymbols(limit: number): Promise<string[]> {
    return [...this.quotes.keys()].sort().slice(0, limit);
  }

  watchQuotes(listener: QuoteListener): () => void {
    this.quoteListeners.add(listener);
    return () => this.quoteListeners.delete(listener);
  }

  private append(k: string, payload: Record<string, unknown>): string {
    const stream = this.stream(k);
    const now = Date.now();
    const [lastMs, lastSeq] = stream.last;
    const ms = Math.max(now, lastMs);
    const seq = ms === lastMs ? lastSeq + 1 : 0;
    const id = `${ms}-${seq}`;
    stream.last = [ms, seq];
    stream.entries.push({ id, ms, seq, payload: JSON.stringify(payload) });
    const excess = stream.entries.length - this.streamMaxLen;
    if (excess > 0) stream.entries.splice(0, excess);
    return id;
  }

  async readGroup(
    tenant: string,
    topic: StreamTopic,
    group: string,
    consumer: string,
    count: number,
    opts: ReadOptions = { groupStart: 'earliest' },
  ): Promise<StreamMessage[]> {
    const ks = keyspace(tenant);
    const stream = this.stream(ks.stream(topic)); // like MKSTREAM
    const name = ks.group(topic, group);
    let g = stream.groups.get(name);
    if (!g) {
      const own = [...stream.groups.keys()].filter((n) => ks.ownsGroup(topic, n)).length;
      if (own >= LIMITS.maxGroupsPerStream)
        throw new AppError('bad_request', `A topic has at most ${LIMITS.maxGroupsPerStream} consumer groups`);
      g = { lastDelivered: opts.groupStart === 'latest' ? stream.last : [0, 0], pel: new Map() };
      stream.groups.set(name, g);
    }
    const now = Date.now();
    const out: StreamMessage[] = [];
    for (
      let i = firstAfter(stream.entries, g.lastDelivered);
      i < stream.entries.length && out.length < count;
      i++
    ) {
      const e = stream.entries[i]!;
      g.pel.set(e.id, { consumer, deliveredAt: now, deliveries: 1 });
      g.lastDelivered = [e.ms, e.seq];
      out.push({ id: e.id, payload: JSON.parse(e.payload) as Record<string, unknown> });
    }
    return out;
  }

  async ack(tenant: string, topic: StreamTopic, group: string, ids: readonly string[]): Promise<number> {
    const ks = keyspace(tenant);
    for (const id of ids) parseMessageId(id);
    const g = this.streams.get(ks.stream(topic))?.groups.get(ks.group(topic, group));
    if (!g) return 0;
    let acked = 0;
    for (const id of new Set(ids)) if (g.pel.delete(id)) acked++;
    return acked;
  }

  async pending(tenant: string, topic: StreamTopic, group: string, oldest: number): Promise<PendingSummary> {
    const g = this.group(tenant, topic, group);
    const now = Date.now();
    const byConsumer = new Map<string, number>();
    for (const p of g.pel.values()) byConsumer.set(p.consumer, (byConsumer.get(p.consumer) ?? 0) + 1);
    const ids = [...g.pel.keys()];
    return {
      total: g.pel.size,
      smallestId: ids[0] ?? null,
      greatestId: ids[ids.length - 1] ?? null,
      consumers: [...byConsumer]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, pending]) => ({ name, pending })),
      oldest: ids.slice(0, oldest).map((id) => {
        const p = g.pel.get(id)!;
        return { id, consumer: p.consumer, idleMs: now - p.deliveredAt, deliveries: p.deliveries };
      }),
    };
  }

  async claim(
    tenant: string,
    topic: StreamTopic,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
    cursor = '0-0',
  ): Promise<ClaimResult> {
    const start = parseMessageId(cursor);
    const stream = this.streams.get(keyspace(tenant).stream(topic));
    const g = this.group(tenant, topic, group);
    const now = Date.now();
    const messages: StreamMessage[] = [];
    const deletedIds: string[] = [];
    // Like XAUTOCLAIM: examine at most 10 × count entries from the cursor; trimmed entries count too.
    let budget = count;
    let attempts = count * 10;
    let nextCursor: string | null = null;
    for (const [id, p] of g.pel) {
      const [ms, seq] = parseMessageId(id);
      if (compareIds([ms, seq], start) < 0) continue;
      if (budget <= 0 || attempts-- <= 0) {
        nextCursor = id;
        break;
      }
      const entry = stream ? findEntry(stream.entries, [ms, seq]) : undefined;
      if (!entry) {
        g.pel.delete(id);
        deletedIds.push(id);
        budget--;
        continue;
      }
      if (now - p.deliveredAt < minIdleMs) continue;
      p.consumer = consumer;
      p.deliveredAt = now;
      p.deliveries += 1;
      messages.push({ id, payload: JSON.parse(entry.payload) as Record<string, unknown> });
      budget--;
    }
    return { messages, nextCursor, deletedIds };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.cache.clear();
    this.windows.clear();
    this.streams.clear();
    this.quotes.clear();
    this.quoteListeners.clear();
    this.cacheBytes = 0;
  }

  private stream(k: string): Stream {
    let stream = this.streams.get(k);
    if (!stream) {
      stream = { entries: [], last: [0, 0], groups: new Map() };
      this.streams.set(k, stream);
    }
    return stream;
  }

  private group(tenant: string, topic: StreamTopic, group: string): Group {
    const ks = keyspace(tenant);
    const g = this.streams.get(ks.stream(topic))?.groups.get(ks.group(topic, group));
    if (!g) throw new AppError('not_found', `No consumer group '${group}' on topic '${topic}'`);
    return g;
  }

  /** The slot if it has not expired; an expired one is dropped on the way (lazy expiry). */
  private liveSlot(k: string, now: number): CacheSlot | undefined {
    const slot = this.cache.get(k);
    if (slot && slot.expiresAt <= now) {
      this.dropSlot(k);
      return undefined;
    }
    return slot;
  }

  private dropSlot(k: string): void {
    const slot = this.cache.get(k);
    if (!slot) return;
    this.cache.delete(k);
    this.cacheBytes -= slot.bytes;
  }

  /** Periodic expiry, so keys nobody reads again do not hold memory. */
  private sweep(): void {
    const now = Date.now();
    for (const [k, slot] of this.cache) if (slot.expiresAt <= now) this.dropSlot(k);
    for (const [k, w] of this.windows) if (w.expiresAt <= now) this.windows.delete(k);
  }
}

function compareIds(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}

/** Index of the first entry with an id greater than `after` (binary search: entries are id-ordered). */
function firstAfter(entries: readonly Entry[], after: readonly [number, number]): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid]!;
    if (compareIds([e.ms, e.seq], after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function findEntry(entries: readonly Entry[], id: readonly [number, number]): Entry | undefined {
  const i = firstAfter(entries, [id[0], id[1] - 1]);
  const e = entries[i];
  return e && e.ms === id[0] && e.seq === id[1] ? e : undefined;
}
