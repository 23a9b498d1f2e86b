/**
 * Order placement through the postgres MCP server's broker tools, as an MCP client does it:
 * `preview_order` (risk checks, confirmation token) then `place_order` with that token, a 1-share
 * market buy while the simulated market is open, so every order fills at once.
 *
 *   node --import tsx bench/orders.ts     # BENCH_RUNS pairs per phase (default 1,000)
 *
 * The server is built like mcp-servers/postgres/test/broker.test.ts: a PaperBroker over a
 * SimulatedFeed whose clock is fixed at 11:00 New York on a normal session, `ledgerServerSpec`
 * served on Streamable HTTP over loopback (`serveMcpSpec`, a user JWT verified against a JWKS on
 * every request), the real SDK client (`connectMcpClient`). Run on embedded PGlite and on the real
 * Postgres (`TEST_DATABASE_URL`, a schema of its own, dropped afterwards).
 *
 * Two phases per backend, after 50 warm-up pairs: one client placing orders back to back (latency),
 * then BENCH_CONCURRENCY clients at once, each on its own account (throughput). Prints a markdown
 * section for RESULTS.md.
 */
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { SimulatedFeed } from '@stockpulse/domain';
import { connectMcpClient, serveMcpSpec, startTestIssuer } from '@stockpulse/protocols/testing';
import { z } from 'zod';
import { PaperBroker } from '../mcp-servers/postgres/src/broker/paper-broker.js';
import { ledgerServerSpec } from '../mcp-servers/postgres/src/server.js';
import { ledgerStores } from '../mcp-servers/postgres/src/store/index.js';
import { LEDGER_MIGRATIONS } from '../mcp-servers/postgres/src/store/migrations.js';

const { BENCH_RUNS: RUNS, BENCH_CONCURRENCY: CONCURRENCY } = z
  .object({
    BENCH_RUNS: z.coerce.number().int().positive().default(1_000),
    BENCH_CONCURRENCY: z.coerce.number().int().positive().default(4),
  })
  .parse(process.env);
const WARMUP = 50;
const USER = '33333333-3333-4333-8333-333333333333';
/** Wednesday 2025-07-09 11:00 New York: a normal session, so market orders fill on the current tick. */
const OPEN = new Date('2025-07-09T15:00:00Z');
/** Small orders spread over liquid names: every risk check (weight, notional, buying power) passes. */
const SYMBOLS = ['AAPL', 'MSFT', 'NVDA', 'AMZN', 'GOOGL', 'META', 'JPM', 'V', 'XOM', 'JNJ', 'PG', 'KO'];

interface Timing {
  preview: number;
  place: number;
  pair: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function stat(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    mean: s.reduce((t, x) => t + x, 0) / s.length,
  };
}
/** The fields of the tools' structured output this script reads. */
interface Preview {
  marketOpen: boolean;
  confirmation: { token: string } | null;
}
interface Placed {
  order: { id: string; status: string };
}

function structured<T>(result: CallToolResult): T {
  if (result.isError) throw new Error(JSON.stringify(result.content));
  return result.structuredContent as T;
}

async function openAccount(db: Database, deposit: string): Promise<string> {
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO accounts (id, user_id, name) VALUES ($1, $2, $3)', [id, USER, 'Bench']);
    await tx.query(`INSERT INTO cash_ledger (account_id, at, kind, amount) VALUES ($1, $2, 'deposit', $3)`, [
      id,
      new Date('2025-07-01T12:00:00Z'),
      deposit,
    ]);
  });
  return id;
}

/** Preview then place one 1-share market buy; checks it filled. */
async function previewAndPlace(client: Client, accountId: string, i: number): Promise<Timing> {
  const order = {
    clientOrderId: `bench-${randomUUID()}`,
    symbol: SYMBOLS[i % SYMBOLS.length]!,
    side: 'buy',
    type: 'market',
    quantity: '1',
  };
  const t0 = performance.now();
  const preview = structured<Preview>(
    (await client.callTool({ name: 'preview_order', arguments: { accountId, order } })) as CallToolResult,
  );
  const t1 = performance.now();
  if (!preview.confirmation || !preview.marketOpen)
    throw new Error(`not placeable: ${JSON.stringify(preview)}`);
  const placed = structured<Placed>(
    (await client.callTool({
      name: 'place_order',
      arguments: { accountId, order, confirmationToken: preview.confirmation.token },
    })) as CallToolResult,
  ).order;
  const t2 = performance.now();
  if (placed.status !== 'filled') throw new Error(`order ${placed.id} is ${placed.status}`);
  return { preview: t1 - t0, place: t2 - t1, pair: t2 - t0 };
}

const issuer = await startTestIssuer();
const token = await issuer.sign(USER, 'read trade');
const feed = new SimulatedFeed({ seed: 2024, start: '2024-01-02', clock: { now: () => OPEN } });
const sections: string[] = [];

for (const [kind, backend] of testBackends('bench_orders')) {
  const db = await backend.open();
  try {
    await migrate(db, LEDGER_MIGRATIONS);
    const version = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!
      .v;
    const broker = new PaperBroker(db, { feed, confirmationSecret: 'x'.repeat(32) });
    const server = await serveMcpSpec(ledgerServerSpec(ledgerStores(db), broker), issuer);
    const clients = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => connectMcpClient(server.url, token)),
    );
    const accounts = await Promise.all(clients.map(() => openAccount(db, '10000000')));
    try {
      const [client, account] = [clients[0]!, accounts[0]!];
      for (let i = 0; i < WARMUP; i++) await previewAndPlace(client, account, i);

      // Phase 1: one client, back to back.
      const sequential: Timing[] = [];
      const t0 = performance.now();
      for (let i = 0; i < RUNS; i++) sequential.push(await previewAndPlace(client, account, i));
      const sequentialS = (performance.now() - t0) / 1000;

      // Does an account's day of orders slow its next one? Previews (they change nothing) on the busy
      // account and on one with no orders, interleaved, so machine load hits both alike.
      const fresh = await openAccount(db, '10000000');
      const previews = { busy: [] as number[], fresh: [] as number[] };
      for (let i = 0; i < 200; i++) {
        const [which, id] = i % 2 ? (['busy', account] as const) : (['fresh', fresh] as const);
        const t = performance.now();
        await client.callTool({
          name: 'preview_order',
          arguments: {
            accountId: id,
            order: { clientOrderId: `p-${i}`, symbol: 'AAPL', side: 'buy', type: 'market', quantity: '1' },
          },
        });
        previews[which].push(performance.now() - t);
      }

      // Phase 2: CONCURRENCY clients, each its own account (orders on one account serialize on its lock).
      const concurrent: Timing[] = [];
      let next = 0;
      const t1 = performance.now();
      await Promise.all(
        clients.map(async (c, k) => {
          while (next < RUNS) concurrent.push(await previewAndPlace(c, accounts[k]!, next++));
        }),
      );
      const concurrentS = (performance.now() - t1) / 1000;

      const orders = Number(
        (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM orders WHERE status = 'filled'"))
          .rows[0]!.n,
      );
      const expected = WARMUP + 2 * RUNS;
      if (orders !== expected) throw new Error(`${orders} filled orders, expected ${expected}`);

      const seq = { pair: stat(sequential.map((t) => t.pair)), place: stat(sequential.map((t) => t.place)) };
      const preview = stat(sequential.map((t) => t.preview));
      const con = { pair: stat(concurrent.map((t) => t.pair)), place: stat(concurrent.map((t) => t.place)) };
      // How the cost moves as the account's orders of the day pile up (same clock, same session).
      const buckets = Array.from({ length: Math.ceil(RUNS / 100) }, (_, b) =>
        stat(sequential.slice(b * 100, b * 100 + 100).map((t) => t.place)).p50.toFixed(1),
      );
      const f = (n: number) => n.toFixed(2);
      sections.push(`**${kind === 'pglite' ? 'PGlite (embedded, in process)' : `Postgres ${version} at 127.0.0.1`}**

| phase | orders/s | pair p50 / p90 / p99 (ms) | \`place_order\` p50 / p90 / p99 (ms) |
| --- | --- | --- | --- |
| 1 client, sequential, ${RUNS.toLocaleString('en-US')} orders | ${(RUNS / sequentialS).toFixed(1)} | ${f(seq.pair.p50)} / ${f(seq.pair.p90)} / ${f(seq.pair.p99)} | ${f(seq.place.p50)} / ${f(seq.place.p90)} / ${f(seq.place.p99)} |
| ${CONCURRENCY} clients (own accounts), ${RUNS.toLocaleString('en-US')} orders | ${(RUNS / concurrentS).toFixed(1)} | ${f(con.pair.p50)} / ${f(con.pair.p90)} / ${f(con.pair.p99)} | ${f(con.place.p50)} / ${f(con.place.p90)} / ${f(con.place.p99)} |

\`preview_order\` alone (sequential): p50 ${f(preview.p50)} ms, p99 ${f(preview.p99)} ms. \`place_order\` p50 (ms) per
100 sequential orders, in order: ${buckets.join(', ')}. \`preview_order\` p50 on the account with ${WARMUP + RUNS} filled
orders that day ${f(stat(previews.busy).p50)} ms vs ${f(stat(previews.fresh).p50)} ms on an account with none (100 each, interleaved).
`);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
      await server.close();
    }
  } finally {
    await db.close();
    await backend.cleanup();
  }
}
await issuer.close();

console.log(`## Order placement: \`preview_order\` → \`place_order\` over MCP (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

\`node --import tsx bench/orders.ts\`. A 1-share market buy (12 symbols in turn) on an account with $10M, the
simulated market open (clock fixed at 2025-07-09 11:00 New York), so each order passes the six risk checks and
fills at once: preview (quote, account snapshot, risk, signed confirmation token), then place (token check,
account lock, risk again, order + events, execution + cash + position, match). The postgres MCP server in
process on Streamable HTTP over loopback, the real SDK client, a user JWT checked against a JWKS on every
request. "pair" is both calls; orders/s is orders placed (pairs) per second of wall time. ${WARMUP} warm-up
pairs first. Load average at the end: ${loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ')}.

${sections.join('\n')}`);
