/**
 * Bulk ingest throughput on real Postgres: 100k 1-minute bars through the timescale server's
 * `ingest_bars` MCP tool (in-process server over Streamable HTTP on loopback, the real SDK client, a
 * service JWT checked against a JWKS) against the same rows written directly, and against COPY.
 *
 *   node --import tsx bench/ingest.ts     # TEST_DATABASE_URL picks the server
 *
 * Targets, each a database of its own: plain Postgres and, when the server offers the extension,
 * TimescaleDB (`minute_bars` a hypertable). Every run writes into an empty
 * `minute_bars`; reported times are medians over the runs. Prints a markdown section for RESULTS.md.
 */
import { cpus } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, createMetrics, createServiceApp, listen } from '@stockpulse/core';
import { type Database, migrate, openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
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
const RUNS = 3;
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

// --- COPY FROM STDIN with the plain `pg` client (no pg-copy-streams): a minimal Submittable ------------
class CopyIn implements pg.Submittable {
  readonly done: Promise<number>;
  private settle!: { resolve: (n: number) => void; reject: (e: Error) => void };
  private rows = 0;
  constructor(
    private readonly sql: string,
    private readonly data: Buffer,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }
  submit(connection: pg.Connection & { query(text: string): void }) {
    connection.query(this.sql);
  }
  handleCopyInResponse(connection: { sendCopyFromChunk(b: Buffer): void; endCopyFrom(): void }) {
    for (let i = 0; i < this.data.length; i += 1 << 20)
      connection.sendCopyFromChunk(this.data.subarray(i, i + (1 << 20)));
    connection.endCopyFrom();
  }
  handleCommandComplete(msg: { text: string }) {
    this.rows = Number(/\d+$/.exec(msg.text)?.[0] ?? 0);
  }
  handleReadyForQuery() {
    this.settle.resolve(this.rows);
  }
  handleError(err: Error) {
    this.settle.reject(err);
  }
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handlePortalSuspended() {}
  handleCopyData() {}
}
const copyText = (rows: readonly IngestBar[]) =>
  Buffer.from(
    rows
      .map((b) => `${b.symbol}\t${b.time}\t${b.open}\t${b.high}\t${b.low}\t${b.close}\t${b.volume}\n`)
      .join(''),
  );

interface Result {
  name: string;
  seconds: number;
  rowsPerSecond: number;
}

/** Every contender on one database: the server's store, served over HTTP, plus a COPY connection. */
async function benchOn(db: Database, url: string): Promise<Result[]> {
  await migrate(db, MARKET_MIGRATIONS);
  const store = await MarketStore.open(db);
  await store.upsertSymbols(loadUniverse());
  const metrics = createMetrics('bench-timescale');
  const app = createServiceApp({ name: 'bench-timescale', logger: silent, metrics });
  const mcpServer = await listen(app, { port: 0, host: HOST });
  const closeSessions = mountMcpHttp(app, marketServerSpec(store), {
    verify: createVerifier({ authUrl: authServer.url }),
    logger: silent,
    metrics,
    onAudit: () => {},
    resourceUrl: mcpServer.url,
    authorizationServers: [authServer.url],
  });
  const client = new Client({ name: 'bench-ingest', version: '0.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', mcpServer.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  const copyClient = new pg.Client({
    connectionString: url,
    options: `-c search_path="${db.schema}",public`,
  });
  copyClient.on('error', () => {}); // reported by the failing query
  await copyClient.connect();

  const contenders: Array<[string, () => Promise<number>]> = [
    [
      'raw multi-row INSERT … unnest (the SQL the tool runs)',
      async () => {
        let n = 0;
        for (const batch of batches) n += await store.insertMinuteBars(batch.map(toMinute));
        return n;
      },
    ],
    [
      '`ingest_bars` over MCP (HTTP, SDK client, service JWT)',
      async () => {
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
      },
    ],
    [
      'COPY FROM STDIN straight into `minute_bars` (not idempotent)',
      async () => {
        let n = 0;
        for (const batch of batches)
          n += await copyClient.query(new CopyIn(`COPY minute_bars ${COLUMNS} FROM STDIN`, copyText(batch)))
            .done;
        return n;
      },
    ],
    [
      'COPY into a temp table + INSERT … ON CONFLICT DO NOTHING (idempotent COPY)',
      async () => {
        let n = 0;
        for (const batch of batches) {
          await copyClient.query('BEGIN');
          await copyClient.query('CREATE TEMP TABLE staging (LIKE minute_bars) ON COMMIT DROP');
          await copyClient.query(new CopyIn(`COPY staging ${COLUMNS} FROM STDIN`, copyText(batch))).done;
          const r = await copyClient.query(
            'INSERT INTO minute_bars SELECT * FROM staging ON CONFLICT (symbol, ts) DO NOTHING',
          );
          await copyClient.query('COMMIT');
          n += r.rowCount ?? 0;
        }
        return n;
      },
    ],
  ];

  const count = async () =>
    (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM minute_bars')).rows[0]!.n;
  const results: Result[] = [];
  try {
    // Warm-up: JIT, pools, the JWKS fetch and the MCP session.
    await contenders[1]![1]();
    for (const [name, run] of contenders) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        await db.exec('TRUNCATE minute_bars');
        await db.exec('CHECKPOINT').catch(() => undefined);
        const t0 = performance.now();
        const written = await run();
        times.push((performance.now() - t0) / 1000);
        const stored = await count();
        if (written !== ROWS || stored !== ROWS)
          throw new Error(`${name}: wrote ${written}, stored ${stored}`);
      }
      times.sort((a, b) => a - b);
      const seconds = times[Math.floor(times.length / 2)]!;
      results.push({ name, seconds, rowsPerSecond: ROWS / seconds });
    }
  } finally {
    await client.close();
    await closeSessions();
    await mcpServer.close();
    await copyClient.end();
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
      return table('plain Postgres: PK (symbol, ts) + BRIN (ts) + OHLC CHECK', await benchOn(db, url));
    const ext = await enableTimescaleDb(db);
    if (!ext.enabled) throw new Error(`TimescaleDB: ${ext.reason}`);
    return table(
      `TimescaleDB ${ext.version} (Apache): hypertable, 1-day chunks + OHLC CHECK`,
      await benchOn(db, url),
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
  const raw = results[0]!.rowsPerSecond;
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  return `**${target}**

| path | time | rows/s | vs raw INSERT |
| --- | --- | --- | --- |
${results.map((r) => `| ${r.name} | ${r.seconds.toFixed(2)} s | ${f(r.rowsPerSecond)} | ${((r.rowsPerSecond / raw) * 100).toFixed(0)}% |`).join('\n')}
`;
}

console.log(`## Bulk ingest: \`ingest_bars\` vs direct writes (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

${ROWS.toLocaleString('en-US')} 1-minute bars (${universe.length} symbols × 5 sessions) into an empty \`minute_bars\` on
Postgres ${version} at 127.0.0.1, ${BATCH / 1000}k bars per MCP call / COPY transaction, median of ${RUNS} runs.
\`node --import tsx bench/ingest.ts\`.

${sections.join('\n')}`);
