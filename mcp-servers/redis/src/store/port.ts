import { AppError } from '@stockpulse/core';

/** The event topics of the mesh (see DESIGN.md, Events). */
export const STREAM_TOPICS = ['market-data', 'trade-executions', 'ai-insights', 'risk-alerts'] as const;
export type StreamTopic = (typeof STREAM_TOPICS)[number];

/**
 * Topics of the whole mesh rather than of one user: `market-data` (the quotes `publish_quotes`
 * writes). Every user reads the same stream, but consumer groups stay private to each user.
 */
export const SHARED_TOPICS: ReadonlySet<StreamTopic> = new Set<StreamTopic>(['market-data']);

/** Bounds every adapter and tool shares: one place, so the schemas and the stores never disagree. */
export const LIMITS = {
  key: /^[A-Za-z0-9:_\-.]{1,200}$/,
  /** Consumer group and consumer names. */
  name: /^[A-Za-z0-9_\-.]{1,64}$/,
  messageId: /^\d{1,20}-\d{1,20}$/,
  maxValueBytes: 64 * 1024,
  maxPayloadBytes: 16 * 1024,
  maxTtlSeconds: 86_400,
  maxRateLimit: 10_000,
  maxWindowSeconds: 86_400,
  maxBatch: 100,
  maxGroupsPerStream: 32,
  /** Quotes per `publish_quotes` call. */
  maxQuotes: 500,
  symbol: /^[A-Z][A-Z0-9.-]{0,14}$/,
} as const;

/** The latest quote of a symbol, as published (prices exact decimal strings, `ts` ISO-8601 UTC). */
export interface LiveQuote {
  symbol: string;
  price: string;
  /** When the quote was made (not when it was stored); a quote never replaces a newer one. */
  ts: string;
  bid?: string;
  ask?: string;
  volume?: number;
  source?: string;
}

export interface PutQuotesResult {
  /** Symbols whose latest quote changed, in the order written. */
  written: string[];
  /** Quotes not newer than the one stored (late or repeated): not stored, not streamed. */
  stale: number;
}

/** Called with the symbols whose latest quote changed. */
export type QuoteListener = (symbols: readonly string[]) => void;

export interface CacheEntry {
  value: string;
  /** Milliseconds until the key expires. */
  ttlMs: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Hits still allowed in the current window after this one. */
  remaining: number;
  /** 0 when allowed; otherwise how long until one more hit would be allowed. */
  retryAfterMs: number;
}

export interface StreamMessage {
  /** Stream entry id, `<ms>-<seq>`. */
  id: string;
  payload: Record<string, unknown>;
}

export interface PendingEntry {
  id: string;
  consumer: string;
  /** Milliseconds since the entry was last delivered. */
  idleMs: number;
  /** How many times it was delivered (read or claimed). */
  deliveries: number;
}

export interface PendingSummary {
  total: number;
  smallestId: string | null;
  greatestId: string | null;
  /** Consumers holding pending entries, by name. */
  consumers: Array<{ name: string; pending: number }>;
  /** The oldest pending entries, oldest first. */
  oldest: PendingEntry[];
}

export interface ClaimResult {
  messages: StreamMessage[];
  /** Where the next claim scan starts; null when the pending list was scanned to its end. */
  nextCursor: string | null;
  /** Pending ids whose message was already trimmed from the stream; they are dropped from the pending list. */
  deletedIds: string[];
}

export interface ReadOptions {
  /** Where a group created by this read starts: the oldest retained message, or only messages published after it. */
  groupStart: 'earliest' | 'latest';
}

/**
 * What the redis MCP server needs from a store. Every operation takes the tenant (the user id it acts
 * for) and the store namespaces every key under it with {@link keyspace}; no operation takes a raw key.
 */
export interface Store {
  readonly kind: 'memory' | 'redis';

  cacheGet(tenant: string, key: string): Promise<CacheEntry | null>;
  /** Returns false only when `onlyIfAbsent` is set and the key exists. */
  cacheSet(
    tenant: string,
    key: string,
    value: string,
    ttlMs: number,
    opts?: { onlyIfAbsent?: boolean },
  ): Promise<boolean>;
  cacheDelete(tenant: string, key: string): Promise<boolean>;

  /** Sliding-window log: a hit is recorded only when allowed. */
  rateLimit(tenant: string, key: string, limit: number, windowMs: number): Promise<RateLimitDecision>;

  /** Append; the stream keeps its newest `streamMaxLen` entries. */
  publish(tenant: string, topic: StreamTopic, payload: Record<string, unknown>): Promise<string>;
  /** New messages (`>`) for `consumer`; they stay pending until acked. Creates the group if needed. */
  readGroup(
    tenant: string,
    topic: StreamTopic,
    group: string,
    consumer: string,
    count: number,
    opts?: ReadOptions,
  ): Promise<StreamMessage[]>;
  /** Number of ids that were pending and are now acknowledged (0 for an unknown group). */
  ack(tenant: string, topic: StreamTopic, group: string, ids: readonly string[]): Promise<number>;
  /** `not_found` for an unknown group. */
  pending(tenant: string, topic: StreamTopic, group: string, oldest: number): Promise<PendingSummary>;
  /** Hand pending entries idle for at least `minIdleMs` to `consumer`. `not_found` for an unknown group. */
  claim(
    tenant: string,
    topic: StreamTopic,
    group: string,
    consumer: string,
    minIdleMs: number,
    count: number,
    cursor?: string,
  ): Promise<ClaimResult>;

  /**
   * Store the latest quote of each symbol unless a newer one (by `ts`) is stored already, append each
   * stored quote to the shared `market-data` stream, and tell every watcher, in this process and
   * (Redis) in every other server on the same Redis.
   */
  putQuotes(quotes: readonly LiveQuote[]): Promise<PutQuotesResult>;
  getQuote(symbol: string): Promise<LiveQuote | null>;
  /** Symbols that have a quote, sorted, at most `limit`. */
  quotedSymbols(limit: number): Promise<string[]>;
  /** Be told whenever a quote changes; returns what stops it. */
  watchQuotes(listener: QuoteListener): () => void;

  /** Throws `unavailable` when the backend cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const TENANT = /^[A-Za-z0-9_\-.@]{1,128}$/;

/**
 * The keys of one tenant: `t:<tenant>:c:<key>` (cache), `t:<tenant>:rl:<key>` (rate limits),
 * `t:<tenant>:s:<topic>` (streams). A tenant id may not contain `:`, so no key of one tenant can
 * spell a key of another. Shared topics live under `m:` (see {@link MARKET_KEYS}); the tenant's
 * consumer groups on them are named `<tenant>:<group>` (a group name may not contain `:` either).
 */
export function keyspace(tenant: string) {
  if (!TENANT.test(tenant)) throw new AppError('forbidden', 'The caller has no usable tenant id');
  const base = `t:${tenant}:`;
  const checkedTopic = (topic: StreamTopic) => {
    if (!STREAM_TOPICS.includes(topic)) throw new AppError('bad_request', `Unknown topic '${topic}'`);
    return topic;
  };
  return {
    cache: (key: string) => `${base}c:${checkedKey(key)}`,
    rateLimit: (key: string) => `${base}rl:${checkedKey(key)}`,
    stream: (topic: StreamTopic) =>
      SHARED_TOPICS.has(checkedTopic(topic)) ? MARKET_KEYS.stream(topic) : `${base}s:${topic}`,
    /** The group's name in the store: the tenant's own on a shared topic. */
    group: (topic: StreamTopic, group: string) => (SHARED_TOPICS.has(topic) ? `${tenant}:${group}` : group),
    /** Whether a stored group name is one of this tenant's groups on `topic`. */
    ownsGroup: (topic: StreamTopic, stored: string) =>
      !SHARED_TOPICS.has(topic) || stored.startsWith(`${tenant}:`),
  };
}

/** Keys of the shared market data: latest quotes, the set of quoted symbols, streams, the change channel. */
export const MARKET_KEYS = {
  quote: (symbol: string) => `m:q:${checkedSymbol(symbol)}`,
  symbols: 'm:q',
  stream: (topic: StreamTopic) => `m:s:${topic}`,
  channel: 'm:quotes',
} as const;

export function checkedSymbol(symbol: string): string {
  if (!LIMITS.symbol.test(symbol))
    throw new AppError('bad_request', `Not a ticker symbol: '${symbol}' (e.g. AAPL, BRK.B)`);
  return symbol;
}

function checkedKey(key: string): string {
  if (!LIMITS.key.test(key))
    throw new AppError('bad_request', 'Keys are 1-200 characters of A-Z a-z 0-9 : _ - .');
  return key;
}

/** Stream ids compare as (ms, seq) pairs. */
export function parseMessageId(id: string): [number, number] {
  if (!LIMITS.messageId.test(id)) throw new AppError('bad_request', `Invalid message id '${id}'`);
  const [ms, seq] = id.split('-');
  return [Number(ms), Number(seq)];
}

/** A quote's time in ms, its symbol checked: the whole batch is checked before anything is stored. */
export function quoteTime(quote: LiveQuote): number {
  MARKET_KEYS.quote(quote.symbol);
  const ms = Date.parse(quote.ts);
  if (Number.isNaN(ms))
    throw new AppError('bad_request', `Quote for ${quote.symbol}: ts is not an ISO-8601 time`);
  return ms;
}
