/**
 * What MCP costs on top of the work: 2,000 sequential `get_portfolio` calls through the postgres
 * (ledger) server — in-process over Streamable HTTP on loopback, the real SDK client, a user JWT
 * checked against a JWKS — against 2,000 direct `Ledger.portfolio()` calls on the same database.
 *
 *   node --import tsx bench/mcp-overhead.ts     # TEST_DATABASE_URL picks the server
 *
 * Runs on real Postgres in a fresh schema (dropped afterwards), migrated and seeded with the demo
 * portfolio. 100 warm-up calls each, then the two loops alternate in blocks of 100 so drift in the
 * database or the machine hits both alike. Prints a markdown section for RESULTS.md.
 */
import { cpus } from 'node:os';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, createMetrics, createServiceApp, listen } from '@stockpulse/core';
import { migrate, openDatabase } from '@stockpulse/db';
import { TEST_DATABASE_URL } from '@stockpulse/db/testing';
import { DEMO_USER_ID } from '@stockpulse/domain';
import { AUTH_AUDIENCE, AUTH_ISSUER, createVerifier } from '@stockpulse/protocols/auth';
import { mountMcpHttp } from '@stockpulse/protocols/mcp';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ledgerServerSpec } from '../mcp-servers/postgres/src/server.js';
import { ledgerStores } from '../mcp-servers/postgres/src/store/index.js';
import { LEDGER_MIGRATIONS } from '../mcp-servers/postgres/src/store/migrations.js';
import { seedDemoPortfolio } from '../mcp-servers/postgres/src/store/seed.js';

const CALLS = Number(process.env.BENCH_CALLS ?? 2_000);
const WARMUP = 100;
const BLOCK = 100;
const HOST = '127.0.0.1';
const silent = createLogger('bench-mcp-overhead', 'silent');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

// --- a JWKS-only auth server and the demo user's token ------------------------------------------------
const { publicKey, privateKey } = await generateKeyPair('ES256');
const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
const authApp = createServiceApp({
  name: 'bench-auth',
  logger: silent,
  metrics: createMetrics('bench-auth'),
});
authApp.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
const authServer = await listen(authApp, { port: 0, host: HOST });
const token = await new SignJWT({ scope: 'read trade' })
  .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
  .setSubject(DEMO_USER_ID)
  .setIssuer(AUTH_ISSUER)
  .setAudience(AUTH_AUDIENCE)
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

// --- the ledger on a fresh schema -------------------------------------------------------------------------
const schema = `bench_mcp_${process.pid}_${Date.now().toString(36)}`;
const db = await openDatabase({ url: TEST_DATABASE_URL, schema });
const { rows: versionRows } = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
const pgVersion = versionRows[0]!.v;
let out = '';
try {
  await migrate(db, LEDGER_MIGRATIONS);
  if (!(await seedDemoPortfolio(db, { seed: 42, start: '2024-01-02' }))) throw new Error('seed did nothing');
  const stores = ledgerStores(db);
  const spec = ledgerServerSpec(stores);

  const metrics = createMetrics('bench-postgres');
  const app = createServiceApp({ name: 'bench-postgres', logger: silent, metrics });
  const server = await listen(app, { port: 0, host: HOST });
  const closeSessions = mountMcpHttp(app, spec, {
    verify: createVerifier({ authUrl: authServer.url }),
    logger: silent,
    metrics,
    resourceUrl: server.url,
    authorizationServers: [authServer.url],
  });
  const client = new Client({ name: 'bench-mcp-overhead', version: '0.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );

  const direct = async () => {
    const p = await stores.ledger.portfolio(DEMO_USER_ID);
    if (p.positions.length === 0) throw new Error('empty portfolio');
  };
  const viaMcp = async () => {
    const r = (await client.callTool({ name: 'get_portfolio', arguments: {} })) as CallToolResult;
    if (r.isError) throw new Error(JSON.stringify(r.content));
    if (!(r.structuredContent as { positions: unknown[] }).positions.length) throw new Error('empty');
  };
  // Same answer both ways (modulo JSON): the tool returns exactly what the store returns.
  const a = JSON.parse(JSON.stringify(await stores.ledger.portfolio(DEMO_USER_ID)));
  const b = ((await client.callTool({ name: 'get_portfolio', arguments: {} })) as CallToolResult)
    .structuredContent;
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error('MCP and direct answers differ');

  for (let i = 0; i < WARMUP; i++) await direct();
  for (let i = 0; i < WARMUP; i++) await viaMcp();

  const times = { direct: [] as number[], mcp: [] as number[] };
  const t0 = performance.now();
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (let i = 0; i < BLOCK; i++) {
      const t = performance.now();
      await direct();
      times.direct.push(performance.now() - t);
    }
    for (let i = 0; i < BLOCK; i++) {
      const t = performance.now();
      await viaMcp();
      times.mcp.push(performance.now() - t);
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  await client.close();
  await closeSessions();
  await server.close();

  const stat = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return {
      p50: percentile(s, 50),
      p90: percentile(s, 90),
      p99: percentile(s, 99),
      mean: s.reduce((t, x) => t + x, 0) / s.length,
    };
  };
  const d = stat(times.direct);
  const m = stat(times.mcp);
  const f = (n: number) => n.toFixed(3);
  const positions = a.positions.length as number;
  out = `## MCP overhead: \`get_portfolio\` via MCP vs direct \`Ledger.portfolio()\` (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

Postgres ${pgVersion} at 127.0.0.1, a fresh schema migrated and seeded with the demo portfolio (${positions} positions).
The postgres MCP server runs in-process over Streamable HTTP on loopback (Hono + \`mountMcpHttp\`), called with the
real SDK client and a user JWT verified against a JWKS (cached) on every request; output validated by the server.
${CALLS.toLocaleString('en-US')} sequential calls each after ${WARMUP} warm-up calls each, alternating blocks of ${BLOCK}
(${wallS.toFixed(1)} s in all). Times in ms. \`node --import tsx bench/mcp-overhead.ts\`.

| path | p50 | p90 | p99 | mean |
| --- | --- | --- | --- | --- |
| direct \`Ledger.portfolio()\` | ${f(d.p50)} | ${f(d.p90)} | ${f(d.p99)} | ${f(d.mean)} |
| MCP \`get_portfolio\` | ${f(m.p50)} | ${f(m.p90)} | ${f(m.p99)} | ${f(m.mean)} |
| **overhead** (MCP − direct) | **${f(m.p50 - d.p50)}** | ${f(m.p90 - d.p90)} | ${f(m.p99 - d.p99)} | ${f(m.mean - d.mean)} |

Target: overhead < 1 ms at p50 — **${m.p50 - d.p50 < 1 ? 'met' : 'missed'}**.
`;
} finally {
  await db.close();
  const admin = await openDatabase({ url: TEST_DATABASE_URL, schema: 'public' });
  await admin.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
  await authServer.close();
}
console.log(out);
