/**
 * Bulk ingest throughput on real Postgres: 100k 1-minute bars through the timescale server's
 * `ingest_bars` MCP tool (in-process server over Streamable HTTP on loopback, the real SDK client, a
 * service JWT checked against a JWKS) against raw COPY into the table (the target: ≥ 50% of it), the
 * idempotent COPY the tool runs, and the multi-row INSERT it ran before.
 *
 *   node --import tsx bench/ingest.ts     # TEST_DATABASE_URL picks the server
 *
 * Targets, each a database of its own: plain Postgres and, when the server offers the extension,
 * TimescaleDB (`minute_bars` a hypertable). Every run writes into an empty
 * `minute_bars`; reported times are medians over the runs. Prints a markdown section for RESULTS.md.
 */
import { cpus, loadavg } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, createMetrics, createServiceApp, listen } from '@stockpulse/core';
import { type Database, migrate, openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { loadUniverse, SimulatedFeed, simulateDailyBars } from '@stockpulse/domain';
import { AUTH_AUDIENCE, AUTH_ISSUER, createVerifier } from '@stockpulse/protocols/auth';
import { mountMcpHttp } from '@stockpulse/protocols/mcp';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { marketServerSpec } from '../mcp-servers/timescale/src/server.js';
import { enableTimescaleDb } from '../mcp-servers/timescale/src/store/extension.js';
import { simulateMinuteBars } from '../mcp-servers/timescale/src/store/intraday.js';
import { MarketStore } from '../mcp-servers/timescale/src/store/market.js';
import { MARKET_MIGRATIONS } from '../mcp-servers/timescale/src/store/migrations.js';
import type { IngestBar } from '../mcp-servers/timescale/src/store/validate.js';

const ROWS = 100_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BATCH = 10_000; // ingest_bars' per-call maximum
const HOST = '127.0.0.1';
const silent = createLogger('bench-ingest', 'silent');
const COLUMNS = '(symbol, ts, open, high, low, close, volume)';

// --- 100k realistic minute bars: 52 symbols × 5 sessions × 390 minutes, cut to ROWS ---------------
const universe = loadUniverse().slice(0, Math.ceil(ROWS / (5 * 390)) + 1);
const daily = simulateDailyBars({ seed: 1, start: '2024-03-22', end: '2024-03-28', companies: universe });
const bars: IngestBar[] = [...daily.values()]
  .flat()
  .flatMap((d) => simulateMinuteBars(d, 1))
  .slice(0, ROWS)
  .map(({ ts, ...b }) => ({ ...b, time: ts }));
if (bars.length < ROWS) throw new Error(`only ${bars.length} bars generated`);
const batches = Array.from({ length: Math.ceil(ROWS / BATCH) }, (_, i) =>
  bars.slice(i * BATCH, (i + 1) * BATCH),
);

// --- a JWKS-only auth server and a service token ----------------------------------------------------
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const authApp = createServiceApp({
  name: 'bench-auth',
  logger: silent,
  metrics: createMetrics('bench-auth'),
});
authApp.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
const authServer = await listen(authApp, { port: 0, host: HOST });
const token = await new SignJWT({ scope: 'service' })
  .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
  .setSubject('service:bench')
  .setIssuer(AUTH_ISSUER)
  .setAudience(AUTH_AUDIENCE)
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

const COPY_COLUMNS = ['symbol', 'ts', 'open', 'high', 'low', 'close', 'volume'];
const copyRows = (rows: readonly IngestBar[]) =>
  rows.map((b) => [b.symbol, b.time, b.open, b.high, b.low, b.close, b.volume]);

interface Result {
  name: string;
  seconds: number;
  rowsPerSecond: number;
  /** Median over rounds of (raw COPY time / this time) in the same round. */
  share: number;
  range: [number, number];
}

/** Every contender on one database: the store's own paths, and the store's server over HTTP. */
async function benchOn(db: Database): Promise<Result[]> {
  await migrate(db, MARKET_MIGRATIONS);
  const store = await MarketStore.open(db);
  await store.upsertSymbols(loadUniverse());
  const metrics = createMetrics('bench-timescale');
  const app = createServiceApp({ name: 'bench-timescale', logger: silent, metrics });
  const mcpServer = await listen(app, { port: 0, host: HOST });
  const closeSessions = mountMcpHttp(
    app,
    marketServerSpec(store, new SimulatedFeed({ seed: 2024, start: '2024-01-02' })),
    {
      verify: createVerifier({ authUrl: authServer.url }),
      logger: silent,
      metrics,
      onAudit: () => {},
      resourceUrl: mcpServer.url,
      authorizationServers: [authServer.url],
    },
  );
  const client = new Client({ name: 'bench-ingest', version: '0.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', mcpServer.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const rawCopy = async () => {
    let n = 0;
    for (const batch of batches) n += await db.copyFrom('minute_bars', COPY_COLUMNS, copyRows(batch));
    return n;
  };
  const storeWrite = async () => {
    let n = 0;
    for (const batch of batches) n += await store.insertMinuteBars(batch.map(toMinute));
    return n;
  };
  const viaMcp = async () => {
    let n = 0;
    for (const batch of batches) {
      const r = (await client.callTool({
        name: 'ingest_bars',
        arguments: { interval: '1m', bars: batch },
      })) as CallToolResult;
      if (r.isError) throw new Error(JSON.stringify(r.content));
      n += (r.structuredContent as { inserted: number }).inserted;
    }
    return n;
  };
  /** [name, run, whether every bar is already stored when it runs (a retried ingest)] */
  const contenders: Array<[string, () => Promise<number>, boolean]> = [
    ['raw COPY FROM STDIN into `minute_bars` (`db.copyFrom`; not idempotent)', rawCopy, false],
    ["the tool's write, new bars: one optimistic COPY straight into the table", storeWrite, false],
    [
      "the tool's write, every bar exists (a retry): that COPY fails, then staging + ON CONFLICT",
      storeWrite,
      true,
    ],
    [
      'multi-row INSERT … unnest … ON CONFLICT DO NOTHING (the write before this change)',
      async () => {
        let n = 0;
        for (const batch of batches) {
          const rows = copyRows(batch);
          const r = await db.query(
            `INSERT INTO minute_bars ${COLUMNS}
             SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[], $4::numeric[], $5::numeric[],
               $6::numeric[], $7::bigint[])
             ON CONFLICT (symbol, ts) DO NOTHING`,
            COPY_COLUMNS.map((_, c) => rows.map((row) => row[c])),
          );
          n += r.rowCount;
        }
        return n;
      },
      false,
    ],
    ['**`ingest_bars` over MCP**, new bars (HTTP, SDK client, service JWT)', viaMcp, false],
    ['`ingest_bars` over MCP, every bar exists (a retry)', viaMcp, true],
  ];

  const count = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM minute_bars')).rows[0]!.n;
  const results: Result[] = [];
  try {
    // Warm-up: JIT, pools, the JWKS fetch and the MCP session.
    await viaMcp();
    // Rounds: every contender once per round, so a busy spell on the shared machine hits all alike;
    // each one's share of raw COPY is taken within its round.
    const times = contenders.map(() => [] as number[]);
    for (let round = 0; round < RUNS; round++) {
      for (const [c, [name, run, retry]] of contenders.entries()) {
        await db.exec('TRUNCATE minute_bars');
        if (retry) await rawCopy();
        await db.exec('VACUUM ANALYZE minute_bars').catch(() => undefined);
        await db.exec('CHECKPOINT').catch(() => undefined);
        const t0 = performance.now();
        const written = await run();
        times[c]!.push((performance.now() - t0) / 1000);
        const stored = await count();
        if (written !== (retry ? 0 : ROWS) || stored !== ROWS)
          throw new Error(`${name}: wrote ${written}, stored ${stored}`);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    for (const [c, [name]] of contenders.entries()) {
      const seconds = median(times[c]!);
      const share = median(times[c]!.map((t, round) => times[0]![round]! / t));
      results.push({
        name,
        seconds,
        rowsPerSecond: ROWS / seconds,
        share,
        range: [Math.min(...times[c]!), Math.max(...times[c]!)],
      });
    }
  } finally {
    await client.close();
    await closeSessions();
    await mcpServer.close();
  }
  return results;
}

function toMinute(b: IngestBar) {
  return {
    symbol: b.symbol,
    ts: b.time,
    open: b.open,
    high: b.high,
    low: b.low,
    close: b.close,
    volume: b.volume,
  };
}

async function adminQuery<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

const sections: string[] = [];
const [{ version }] = (await adminQuery<{ version: string }>(
  "SELECT current_setting('server_version') AS version",
)) as [{ version: string }];

/** Run every contender in a database of its own (extensions are per database), with or without TimescaleDB. */
async function onOwnDatabase(timescaledb: boolean): Promise<string> {
  const database = `bench_ingest_${timescaledb ? 'tsdb' : 'pg'}_${process.pid}`;
  const url = TEST_DATABASE_URL.replace(/\/[^/]*$/, `/${database}`);
  await adminQuery(`CREATE DATABASE ${database}`);
  const db = await openDatabase({ url, schema: 'market' });
  try {
    if (!timescaledb)
      return table('plain Postgres: PK (symbol, ts) + BRIN (ts) + OHLC CHECK', await benchOn(db));
    const ext = await enableTimescaleDb(db);
    if (!ext.enabled) throw new Error(`TimescaleDB: ${ext.reason}`);
    return table(
      `TimescaleDB ${ext.version} (Apache): hypertable, 1-day chunks + OHLC CHECK`,
      await benchOn(db),
    );
  } finally {
    await db.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

sections.push(await onOwnDatabase(false));
const offered = await adminQuery(
  "SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb' AND current_setting('shared_preload_libraries') LIKE '%timescaledb%'",
);
if (offered.length > 0) sections.push(await onOwnDatabase(true));
await authServer.close();

function table(target: string, results: Result[]): string {
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  return `**${target}**

| path | time (median) | min – max | rows/s | vs raw COPY (same round) |
| --- | --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.seconds.toFixed(2)} s | ${r.range[0].toFixed(2)} – ${r.range[1].toFixed(2)} s | ${f(r.rowsPerSecond)} | ${(r.share * 100).toFixed(0)}% |`).join('\n')}
`;
}

const [load1] = loadavg();
console.log(`## Bulk ingest: \`ingest_bars\` vs direct writes (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

${ROWS.toLocaleString('en-US')} 1-minute bars (${universe.length} symbols × 5 sessions) into an empty \`minute_bars\` on
Postgres ${version} at 127.0.0.1, ${BATCH / 1000}k bars per MCP call / COPY transaction, ${RUNS} rounds (each contender once per round, medians);
"every bar exists" runs start from the same 100k already stored (a retried ingest; nothing is written).
Load average ${load1!.toFixed(1)} at the end. \`node --import tsx bench/ingest.ts\`.

${sections.join('\n')}`);
