import { randomBytes } from 'node:crypto';
import { AppError, type Logger } from '@stockpulse/core';
import { Redis } from 'ioredis';
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

export interface RedisStoreOptions {
  url: string;
  /** Prepended to every key (e.g. to share a Redis between deployments, or isolate a test run); default none. */
  namespace?: string;
  /** Entries kept per stream (exact `XADD MAXLEN`); default 1000. */
  streamMaxLen?: number;
  /** A command without an answer after this long fails with `timeout`; default 2 s. */
  commandTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Sliding-window log in one atomic step. Server time (not each replica's clock) decides the window; a
 * hit is recorded only when allowed, so a client hammering a closed window does not push it further out.
 * Returns { allowed (0/1), remaining, retryAfterMs }.
 */
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, limit - count - 1, 0}
end
local edge = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
local retry = tonumber(edge[2]) + window - now
if retry < 1 then retry = 1 end
return {0, 0, retry}
`;

/**
 * Latest quotes, atomically for a batch: a quote is stored (hash {ms, quote}) only when newer than the
 * stored one, then its symbol joins the quoted set and the quote is appended to the market-data stream;
 * one PUBLISH names every symbol that changed, so every server on this Redis can notify its
 * subscribers. KEYS: stream, symbol set, then one quote key per quote. ARGV: maxlen, channel, then per
 * quote: symbol, ms, quote JSON, stream payload JSON. Returns the symbols written.
 */
const PUT_QUOTES_LUA = `
local written = {}
for i = 3, #KEYS do
  local a = 2 + (i - 3) * 4
  local current = tonumber(redis.call('HGET', KEYS[i], 'ms'))
  if current == nil or current < tonumber(ARGV[a + 2]) then
    redis.call('HSET', KEYS[i], 'ms', ARGV[a + 2], 'quote', ARGV[a + 3])
    redis.call('SADD', KEYS[2], ARGV[a + 1])
    redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[1], '*', 'payload', ARGV[a + 4])
    written[#written + 1] = ARGV[a + 1]
  end
end
if #written > 0 then redis.call('PUBLISH', ARGV[2], table.concat(written, ' ')) end
return written
`;

interface SlidingWindowCommand {
  spSlidingWindow(
    key: string,
    limit: number,
    windowMs: number,
    nonce: string,
  ): Promise<[number, number, number]>;
  spPutQuotes(numKeys: number, ...args: Array<string | number>): Promise<string[]>;
}

/** The store over a real Redis (7+): strings with PX, a Lua sliding window, Streams with consumer groups. */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly redis: Redis;
  private readonly ns: string;
  private readonly streamMaxLen: number;
  private readonly url: string;
  private readonly logger?: Logger;
  private readonly quoteListeners = new Set<QuoteListener>();
  /** The connection that listens for quote changes (a subscribed connection can do nothing else); made on first watch. */
  private subscriber?: Redis;
  private listening?: Promise<void>;

  constructor(opts: RedisStoreOptions) {
    this.url = opts.url;
    this.logger = opts.logger;
    this.ns = opts.namespace ?? '';
    this.streamMaxLen = opts.streamMaxLen ?? 1000;
    // Fail fast while Redis is away (no offline queue, one retry) instead of hanging a tool call.
    this.redis = new Redis(opts.url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      commandTimeout: opts.commandTimeoutMs ?? 2000,
      connectionName: 'stockpulse-mcp-redis',
    });
    this.redis.defineCommand('spSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    this.redis.defineCommand('spPutQuotes', { lua: PUT_QUOTES_LUA });
    let up = true;
    this.redis.on('ready', () => {
      if (!up) opts.logger?.info('redis connection restored');
      up = true;
    });
    this.redis.on('error', (err: Error) => {
      if (up) opts.logger?.warn({ err: err.message }, 'redis connection lost; retrying');
      up = false;
    });
  }

  /** Resolves once connected; `unavailable` after `timeoutMs` (the client keeps retrying in the background). */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.redis.off('ready', onReady);
        reject(new AppError('unavailable', 'Redis is unavailable'));
      }, timeoutMs);
      this.redis.once('ready', onReady);
    });
  }

  async cacheGet(tenant: string, key: string): Promise<CacheEntry | null> {
    const k = this.ns + keyspace(tenant).cache(key);
    const replies = await this.run(() => this.redis.multi().get(k).pttl(k).exec());
    const [[, value], [, ttl]] = replies as [[unknown, string | null], [unknown, number]];
    return value === null || ttl < 0 ? null : { value, ttlMs: ttl };
  }

  async cacheSet(
    tenant: string,
    key: string,
    value: string,
    ttlMs: number,
    opts: { onlyIfAbsent?: boolean } = {},
  ): Promise<boolean> {
    const k = this.ns + keyspace(tenant).cache(key);
    const reply = await this.run(() =>
      opts.onlyIfAbsent ? this.redis.set(k, value, 'PX', ttlMs, 'NX') : this.redis.set(k, value, 'PX', ttlMs),
    );
    return reply === 'OK';
  }

  async cacheDelete(tenant: string, key: string): Promise<boolean> {
    const k = this.ns + keyspace(tenant).cache(key);
    return (await this.run(() => this.redis.del(k))) > 0;
  }

  async rateLimit(tenant: string, key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const k = this.ns + keyspace(tenant).rateLimit(key);
    const script = this.redis as unknown as SlidingWindowCommand;
    const nonce = randomBytes(6).toString('hex');
    const [allowed, remaining, retryAfterMs] = await this.run(() =>
      script.spSlidingWindow(k, limit, windowMs, nonce),
    );
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }

  async publish(tenant: string, topic: StreamTopic, payload: Record<string, unknown>): Promise<string> {
    const k = this.ns + keyspace(tenant).stream(topic);
    const id = await this.run(() =>
      this.redis.xadd(k, 'MAXLEN', this.streamMaxLen, '*', 'payload', JSON.stringify(payload)),
    );
    if (!id) throw new AppError('internal', 'XADD returned no id');
    return id;
  }

  async putQuotes(quotes: readonly LiveQuote[]): Promise<PutQuotesResult> {
    const times = quotes.map(quoteTime);
    if (quotes.length === 0) return { written: [], stale: 0 };
    const keys = [this.ns + MARKET_KEYS.stream('market-data'), this.ns + MARKET_KEYS.symbols];
    const args: Array<string | number> = [this.streamMaxLen, this.ns + MARKET_KEYS.channel];
    quotes.forEach((q, i) => {
      keys.push(this.ns + MARKET_KEYS.quote(q.symbol));
      args.push(q.symbol, times[i]!, JSON.stringify(q), JSON.stringify({ type: 'quote', ...q }));
    });
    const script = this.redis as unknown as SlidingWindowCommand;
    const written = await this.run(() => script.spPutQuotes(keys.length, ...keys, ...args));
    return { written, stale: quotes.length - written.length };
  }

  async getQuote(symbol: string): Promise<LiveQuote | null> {
    const json = await this.run(() => this.redis.hget(this.ns + MARKET_KEYS.quote(symbol), 'quote'));
    return json ? (JSON.parse(json) as LiveQuote) : null;
  }

  async quotedSymbols(limit: number): Promise<string[]> {
    const symbols = await this.run(() => this.redis.smembers(this.ns + MARKET_KEYS.symbols));
    return symbols.sort().slice(0, limit);
  }

  /**
   * Listen on the quote channel (pub/sub) so writes by any server on this Redis reach the watchers.
   * Pub/sub is at most once: a change published while the listening connection is down is missed
   * (it reconnects and resubscribes by itself); the market-data stream is the durable record.
   */
  watchQuotes(listener: QuoteListener): () => void {
    this.quoteListeners.add(listener);
    if (!this.subscriber) {
      const channel = this.ns + MARKET_KEYS.channel;
      const sub = new Redis(this.url, { connectionName: 'stockpulse-mcp-redis-quotes' });
      sub.on('error', (err: Error) =>
        this.logger?.debug({ err: err.message }, 'quote listener connection error'),
      );
      sub.on('message', (from: string, message: string) => {
        if (from !== channel) return;
        const symbols = message.split(' ');
        for (const l of this.quoteListeners) l(symbols);
      });
      this.listening = sub.subscribe(channel).then(
        () => undefined,
        (err: Error) => this.logger?.warn({ err: err.message }, 'could not listen for quote changes'),
      );
      this.subscriber = sub;
    }
    return () => this.quoteListeners.delete(listener);
  }

  /** Resolves once the quote listener is subscribed (a watch itself does not wait for it). */
  async quotesListening(): Promise<void> {
    await this.listening;
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
    const k = this.ns + ks.stream(topic);
    const name = ks.group(topic, group);
    const read = () =>
      this.run(() => this.redis.xreadgroup('GROUP', name, consumer, 'COUNT', count, 'STREAMS', k, '>'));
    let reply: unknown;
    try {
      reply = await read();
    } catch (e) {
      if (!(e instanceof AppError && e.code === 'not_found')) throw e;
      await this.createGroup(k, name, opts.groupStart, (stored) => ks.ownsGroup(topic, stored));
      reply = await read();
    }
    // [[key, [[id, [field, value, ...]], ...]]] or null when nothing is new.
    const streams = (reply ?? []) as Array<[string, Array<[string, string[]]>]>;
    return (streams[0]?.[1] ?? []).map(([id, fields]) => ({ id, payload: decodePayload(fields) }));
  }

  async ack(tenant: string, topic: StreamTopic, group: string, ids: readonly string[]): Promise<number> {
    const ks = keyspace(tenant);
    const k = this.ns + ks.stream(topic);
    for (const id of ids) parseMessageId(id);
    return this.run(() => this.redis.xack(k, ks.group(topic, group), ...new Set(ids)));
  }

  async pending(tenant: string, topic: StreamTopic, group: string, oldest: number): Promise<PendingSummary> {
    const ks = keyspace(tenant);
    const k = this.ns + ks.stream(topic);
    const name = ks.group(topic, group);
    const missing = { group, topic };
    const summary = (await this.run(() => this.redis.xpending(k, name), missing)) as [
      number,
      string | null,
      string | null,
      Array<[string, string]> | null,
    ];
    const entries = (
      oldest > 0 ? await this.run(() => this.redis.xpending(k, name, '-', '+', oldest), missing) : []
    ) as Array<[string, string, number, number]>;
    return {
      total: summary[0],
      smallestId: summary[1],
      greatestId: summary[2],
      consumers: (summary[3] ?? []).map(([name, pending]) => ({ name, pending: Number(pending) })),
      oldest: entries.map(([id, consumer, idleMs, deliveries]) => ({ id, consumer, idleMs, deliveries })),
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
    const ks = keyspace(tenant);
    const k = this.ns + ks.stream(topic);
    parseMessageId(cursor);
    const reply = (await this.run(
      () => this.redis.xautoclaim(k, ks.group(topic, group), consumer, minIdleMs, cursor, 'COUNT', count),
      { group, topic },
    )) as [string, Array<[string, string[]] | null>, string[]?];
    const [next, claimed, deleted = []] = reply;
    return {
      // Redis 7 lists trimmed entries separately; guard against a null slot all the same.
      messages: claimed.flatMap((m) => (m ? [{ id: m[0], payload: decodePayload(m[1]) }] : [])),
      nextCursor: next === '0-0' ? null : next,
      deletedIds: deleted,
    };
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }

  async close(): Promise<void> {
    this.quoteListeners.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  private async createGroup(
    k: string,
    group: string,
    start: ReadOptions['groupStart'],
    owned: (stored: string) => boolean,
  ): Promise<void> {
    // XINFO GROUPS: one flat [field, value, ...] list per group; count only the caller's own.
    const infos = (await this.run(() => this.redis.exists(k)))
      ? ((await this.run(() => this.redis.xinfo('GROUPS', k))) as unknown[][])
      : [];
    const groups = infos.filter((info) => owned(String(info[info.indexOf('name') + 1]))).length;
    if (groups >= LIMITS.maxGroupsPerStream)
      throw new AppError('bad_request', `A topic has at most ${LIMITS.maxGroupsPerStream} consumer groups`);
    try {
      await this.run(() => this.redis.xgroup('CREATE', k, group, start === 'latest' ? '$' : '0', 'MKSTREAM'));
    } catch (e) {
      // A concurrent first read created it: fine.
      if (!(e instanceof Error && e.message.startsWith('BUSYGROUP'))) throw e;
    }
  }

  /** Run one Redis call, mapping failures to AppErrors: connection trouble is `unavailable`, never a hang. */
  private async run<T>(op: () => Promise<T>, missingGroup?: { group: string; topic: string }): Promise<T> {
    try {
      return await op();
    } catch (e) {
      if (!(e instanceof Error) || e instanceof AppError) throw e;
      if (e.name === 'ReplyError') {
        if (e.message.startsWith('NOGROUP'))
          throw new AppError(
            'not_found',
            missingGroup
              ? `No consumer group '${missingGroup.group}' on topic '${missingGroup.topic}'`
              : 'No such consumer group',
          );
        throw e; // a server-side error we did not expect: internal
      }
      if (e instanceof TypeError || e instanceof RangeError || e instanceof SyntaxError) throw e;
      if (/timed out/i.test(e.message)) throw new AppError('timeout', 'Redis did not answer in time');
      throw new AppError('unavailable', 'Redis is unavailable');
    }
  }
}

/** Entries hold one `payload` field with JSON; anything else is returned as its field map. */
function decodePayload(fields: readonly string[]): Record<string, unknown> {
  const map: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) map[fields[i]!] = fields[i + 1]!;
  if (map.payload !== undefined) {
    try {
      const parsed: unknown = JSON.parse(map.payload);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        return parsed as Record<string, unknown>;
    } catch {
      // fall through to the raw fields
    }
  }
  return map;
}
