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
import { cpus, loadavg } from 'node:os';
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
  // The same server with every token checked in full (no verified-JWT cache), to show what that saves.
  const uncachedApp = createServiceApp({ name: 'bench-postgres-uncached', logger: silent, metrics });
  const uncachedServer = await listen(uncachedApp, { port: 0, host: HOST });
  const closeUncached = mountMcpHttp(uncachedApp, spec, {
    verify: createVerifier({ authUrl: authServer.url }),
    logger: silent,
    metrics,
    resourceUrl: uncachedServer.url,
    authorizationServers: [authServer.url],
    verifiedCredentialTtlMs: 0,
  });
  const connectClient = async (url: string) => {
    const c = new Client({ name: 'bench-mcp-overhead', version: '0.0.0' });
    await c.connect(
      new StreamableHTTPClientTransport(new URL('/mcp', url), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    return c;
  };
  const client = await connectClient(server.url);
  const uncachedClient = await connectClient(uncachedServer.url);

  const direct = async () => {
    const p = await stores.ledger.portfolio(DEMO_USER_ID);
    if (p.positions.length === 0) throw new Error('empty portfolio');
  };
  const call = async (c: Client, streamed = false) => {
    // A progress callback makes the SDK send a progressToken: the server then streams (SSE, event store).
    const options = streamed ? { onprogress: () => {} } : undefined;
    const r = (await c.callTool(
      { name: 'get_portfolio', arguments: {} },
      undefined,
      options,
    )) as CallToolResult;
    if (r.isError) throw new Error(JSON.stringify(r.content));
    if (!(r.structuredContent as { positions: unknown[] }).positions.length) throw new Error('empty');
  };
  const paths: Array<[string, () => Promise<void>]> = [
    ['direct `Ledger.portfolio()`', direct],
    ['MCP `get_portfolio` (plain call: one JSON answer)', () => call(client)],
    ['MCP `get_portfolio` with a progress token (SSE stream + event store)', () => call(client, true)],
    ['MCP `get_portfolio`, every JWT verified in full (cache off)', () => call(uncachedClient)],
  ];
  // Same answer every way (modulo JSON): the tool returns exactly what the store returns.
  const a = JSON.parse(JSON.stringify(await stores.ledger.portfolio(DEMO_USER_ID)));
  for (const [c, options] of [[client], [client, { onprogress: () => {} }], [uncachedClient]] as const) {
    const r = (await c.callTool(
      { name: 'get_portfolio', arguments: {} },
      undefined,
      options,
    )) as CallToolResult;
    if (JSON.stringify(a) !== JSON.stringify(r.structuredContent))
      throw new Error('MCP and direct answers differ');
  }

  for (const [, run] of paths) for (let i = 0; i < WARMUP; i++) await run();

  const times = paths.map(() => [] as number[]);
  const cpu = paths.map(() => 0);
  const t0 = performance.now();
  for (let done = 0; done < CALLS; done += BLOCK) {
    for (const [p, [, run]] of paths.entries()) {
      const c0 = process.cpuUsage();
      for (let i = 0; i < BLOCK; i++) {
        const t = performance.now();
        await run();
        times[p]!.push(performance.now() - t);
      }
      const c = process.cpuUsage(c0);
      cpu[p]! += c.user + c.system;
    }
  }
  const wallS = (performance.now() - t0) / 1000;
  await Promise.all([client.close(), uncachedClient.close()]);
  await Promise.all([closeSessions(), closeUncached()]);
  await Promise.all([server.close(), uncachedServer.close()]);
  const [load1] = loadavg();

  const stat = (xs: number[]) => {
    const s = [...xs].sort((x, y) => x - y);
    return {
      p50: percentile(s, 50),
      p90: percentile(s, 90),
      p99: percentile(s, 99),
      mean: s.reduce((t, x) => t + x, 0) / s.length,
    };
  };
  const stats = times.map(stat);
  const d = stats[0]!;
  const m = stats[1]!;
  const f = (n: number) => n.toFixed(3);
  const positions = a.positions.length as number;
  const rows = paths.map(
    ([name], p) =>
      `| ${name} | ${f(stats[p]!.p50)} | ${f(stats[p]!.p90)} | ${f(stats[p]!.p99)} | ${f(stats[p]!.mean)} | ${(cpu[p]! / CALLS / 1000).toFixed(3)} |`,
  );
  out = `## MCP overhead: \`get_portfolio\` via MCP vs direct \`Ledger.portfolio()\` (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${cpus().length} cores)

Postgres ${pgVersion} at 127.0.0.1, a fresh schema migrated and seeded with the demo portfolio (${positions} positions).
The postgres MCP server runs in-process over Streamable HTTP on loopback (Hono + \`mountMcpHttp\`), called with the
real SDK client and a user JWT verified against a JWKS on every request; output validated by the server.
${CALLS.toLocaleString('en-US')} sequential calls per path after ${WARMUP} warm-up calls each, the paths alternating in blocks of ${BLOCK}
(${wallS.toFixed(1)} s in all; load average ${load1!.toFixed(1)} at the end). Times in ms; CPU is this process's (client and server)
user + system time per call. \`node --import tsx bench/mcp-overhead.ts\`.

| path | p50 | p90 | p99 | mean | CPU/call |
| --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
| **overhead** (plain MCP − direct) | **${f(m.p50 - d.p50)}** | ${f(m.p90 - d.p90)} | ${f(m.p99 - d.p99)} | ${f(m.mean - d.mean)} | |

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
