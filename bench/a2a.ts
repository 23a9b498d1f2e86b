/**
 * What A2A costs, and whether a second portfolio-manager adds throughput.
 *
 *   node --import tsx bench/a2a.ts                  # everything (two meshes, ~4 minutes)
 *   BENCH_PART=overhead node --import tsx bench/a2a.ts    # (a) only; BENCH_MESH=0 skips the mesh rows
 *   BENCH_PART=throughput node --import tsx bench/a2a.ts  # (b) only
 *
 * (a) `SendMessage` round trip vs a plain HTTP POST doing the same work, on the same server: an
 *     echo agent (`mountA2A` on `createServiceApp`, the product's JWT verifier against a JWKS) whose
 *     executor answers with a task holding one artifact that echoes the request's data part, and a
 *     `POST /plain` route on the same app that verifies the same token and echoes the same data.
 *     Called with the product's client (`createA2AClient` + `sendText`) and with `fetch`, in
 *     alternating blocks of 100 after a warm-up. Task store: in memory (bare binding), then the
 *     durable store the agents use (`mcpTaskStore` + `mcpPushConfigStore` over the postgres MCP
 *     server: in process on PGlite and on Postgres, then the mesh's own postgres server process),
 *     and finally the real portfolio-manager answering "What is my portfolio worth?".
 * (b) Turns/s of "What is my portfolio worth?" through the user-assistant's AG-UI endpoint (which
 *     delegates to a portfolio-manager found in the registry), BENCH_CONCURRENCY turns in flight
 *     for BENCH_SECONDS, on a mesh with one portfolio-manager and on one with two; the CPU each
 *     process used in that window, from /proc.
 *
 * Prints a markdown section for RESULTS.md.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import {
  AppError,
  createLogger,
  createMetrics,
  createServiceApp,
  listen,
  type RunningServer,
} from '@stockpulse/core';
import { migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { formatUsd } from '@stockpulse/domain';
import {
  type AgentExecutor,
  type AgentStateTools,
  agentCard,
  createA2AClient,
  createPushSigner,
  dataPart,
  finishTask,
  mcpPushConfigStore,
  mcpTaskStore,
  mountA2A,
  partsData,
  publishArtifact,
  sendText,
  startTask,
  type TaskStore,
} from '@stockpulse/protocols/a2a';
import { type CredentialVerifier, createVerifier, ServiceTokenSource } from '@stockpulse/protocols/auth';
import { connectMcp } from '@stockpulse/protocols/mcp';
import { serveMcpSpec, startTestIssuer } from '@stockpulse/protocols/testing';
import { z } from 'zod';
import { ledgerServerSpec } from '../mcp-servers/postgres/src/server.js';
import { ledgerStores } from '../mcp-servers/postgres/src/store/index.js';
import { LEDGER_MIGRATIONS } from '../mcp-servers/postgres/src/store/migrations.js';
import { expectedDemoValue, readSse } from '../test/harness/expected.js';
import { startTestMesh, type TestMesh } from '../test/harness/mesh.js';

const {
  BENCH_PART: PART,
  BENCH_MESH: WITH_MESH,
  BENCH_RUNS: RUNS,
  BENCH_DURABLE_RUNS: DURABLE_RUNS,
  BENCH_PM_RUNS: PM_RUNS,
  BENCH_SECONDS: SECONDS,
  BENCH_CONCURRENCY: CONCURRENCY,
  BENCH_ROUNDS: ROUNDS,
} = z
  .object({
    BENCH_PART: z.enum(['all', 'overhead', 'throughput']).default('all'),
    BENCH_MESH: z
      .enum(['0', '1'])
      .default('1')
      .transform((v) => v === '1'),
    BENCH_RUNS: z.coerce.number().int().positive().default(2_000),
    BENCH_DURABLE_RUNS: z.coerce.number().int().positive().default(500),
    BENCH_PM_RUNS: z.coerce.number().int().positive().default(200),
    BENCH_SECONDS: z.coerce.number().positive().default(10),
    BENCH_ROUNDS: z.coerce.number().int().positive().default(3),
    BENCH_CONCURRENCY: z.coerce.number().int().positive().default(8),
  })
  .parse(process.env);
const WARMUP = 100;
const BLOCK = 100;
const HOST = '127.0.0.1';
const QUESTION = 'What is my portfolio worth?';
const PAYLOAD = { symbol: 'AAPL', side: 'buy', quantity: 10, note: 'a small fixed piece of work' };
const silent = createLogger('bench-a2a', 'silent');

/**
 * Node's MaxListenersExceededWarning, counted instead of printed: every MCP call adds an abort
 * listener to the SDK transport's one long-lived AbortSignal (see the note in RESULTS.md).
 */
const listenerWarnings = { count: 0, max: 0 };
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (w.name !== 'MaxListenersExceededWarning') {
    process.stderr.write(`${w.stack ?? w.message}\n`);
    return;
  }
  listenerWarnings.count++;
  listenerWarnings.max = Math.max(
    listenerWarnings.max,
    Number(/(\d+) abort listeners/.exec(w.message)?.[1] ?? 0),
  );
});

// --- measuring -------------------------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
function stat(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((t, x) => t + x, 0) / s.length };
}
const ms = (n: number) => n.toFixed(2);
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (100 ticks/s). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total CPU seconds of the whole machine so far, from /proc/stat (idle and iowait are not busy). */
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: (total - f[3]! - f[4]!) / 100, total: total / 100 };
}

/** `mcp_tool_calls_total` and `mcp_tool_duration_seconds_sum` by tool, from a server's /metrics. */
async function toolMetrics(url: string): Promise<Map<string, { calls: number; seconds: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, { calls: number; seconds: number }>();
  for (const line of text.split('\n')) {
    const m =
      /^(mcp_tool_calls_total|mcp_tool_duration_seconds_sum)\{[^}]*tool="([^"]+)"[^}]*\} ([\d.e+-]+)$/.exec(
        line,
      );
    if (!m) continue;
    const entry = out.get(m[2]!) ?? { calls: 0, seconds: 0 };
    if (m[1] === 'mcp_tool_calls_total') entry.calls += Number(m[3]);
    else entry.seconds += Number(m[3]);
    out.set(m[2]!, entry);
  }
  return out;
}

async function timeLoop(fn: () => Promise<void>, runs: number, into: number[]): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    into.push(performance.now() - t);
  }
}

// --- (a) the echo agent ----------------------------------------------------------------------------------

/** The fixed work both paths do: wrap the request's data. */
const echo = (data: unknown) => ({ echo: data });

const echoExecutor: AgentExecutor = {
  async execute(ctx, bus) {
    startTask(ctx, bus);
    publishArtifact(ctx, bus, [dataPart(echo(partsData(ctx.userMessage.parts)[0]))]);
    finishTask(ctx, bus);
  },
  async cancelTask() {},
};

interface EchoAgent {
  url: string;
  close(): Promise<void>;
}

/**
 * An agent as `runAgentService` builds one (service app, `mountA2A`, push signer), with `tools`
 * as its durable task and push store when given, plus the plain route on the same app.
 */
async function startEchoAgent(
  verify: CredentialVerifier,
  tools?: AgentStateTools,
  opts: { push?: boolean } = {},
): Promise<EchoAgent> {
  const metrics = createMetrics('bench-echo');
  const app = createServiceApp({ name: 'bench-echo', logger: silent, metrics });
  const server: RunningServer = await listen(app, { port: 0, host: HOST });
  let taskStore: TaskStore | undefined;
  let push: Parameters<typeof mountA2A>[1]['push'];
  if (tools) {
    taskStore = mcpTaskStore(tools, { logger: silent });
    const signer = await createPushSigner({
      issuer: server.url,
      key: { secret: 'bench-a2a-secret-0123456789abcdef', keyName: 'bench-echo' },
    });
    if (opts.push !== false) push = { signer, store: mcpPushConfigStore(tools, { logger: silent }) };
  }
  mountA2A(app, {
    card: () =>
      agentCard({
        name: 'Echo',
        description: 'Echoes the data part it is sent',
        version: '1.0.0',
        publicUrl: server.url,
        skills: [{ id: 'echo', name: 'Echo', description: 'Echo the data part' }],
      }),
    executor: echoExecutor,
    verify,
    logger: silent,
    metrics,
    taskStore,
    push,
  });
  app.post('/plain', async (c) => {
    await verify(c.req.header('authorization'));
    const body = await c.req.json<{ text: string; data: unknown }>();
    return c.json({ state: 'completed', parts: [{ data: echo(body.data) }] });
  });
  return { url: server.url, close: () => server.close() };
}

/** Counts the agent-state tool calls the durable store makes. */
function counting(tools: AgentStateTools): AgentStateTools & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    counts,
    call: (tool, args, options) => {
      counts.set(tool, (counts.get(tool) ?? 0) + 1);
      return tools.call(tool, args, options);
    },
  };
}

interface PairResult {
  plain: ReturnType<typeof stat>;
  a2a: ReturnType<typeof stat>;
  runs: number;
}

/** `runs` SendMessage calls and `runs` plain POSTs on the same agent, alternating blocks of 100. */
async function measurePair(agent: EchoAgent, token: string, runs: number): Promise<PairResult> {
  const authorization = `Bearer ${token}`;
  const client = await createA2AClient(agent.url, { authorization });
  const viaA2A = async () => {
    const answer = await sendText(client, 'echo', { data: PAYLOAD });
    if (answer.state !== 'TASK_STATE_COMPLETED') throw new Error(`task ${answer.state}`);
    if (JSON.stringify(answer.data[0]) !== JSON.stringify(echo(PAYLOAD))) throw new Error('wrong echo');
  };
  const plain = async () => {
    const res = await fetch(`${agent.url}/plain`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'echo', data: PAYLOAD }),
    });
    const body = (await res.json()) as { parts: Array<{ data: unknown }> };
    if (JSON.stringify(body.parts[0]!.data) !== JSON.stringify(echo(PAYLOAD))) throw new Error('wrong echo');
  };
  const warm = Math.min(WARMUP, runs);
  await timeLoop(plain, warm, []);
  await timeLoop(viaA2A, warm, []);
  const times = { plain: [] as number[], a2a: [] as number[] };
  for (let done = 0; done < runs; done += BLOCK) {
    const n = Math.min(BLOCK, runs - done);
    await timeLoop(plain, n, times.plain);
    await timeLoop(viaA2A, n, times.a2a);
  }
  return { plain: stat(times.plain), a2a: stat(times.a2a), runs };
}

interface OverheadRow {
  label: string;
  result: PairResult;
  /** Agent-state MCP calls per SendMessage, by tool. */
  callsPerSend?: string;
}

function callsPerSend(counts: Map<string, number>, sends: number): string {
  return [...counts]
    .map(([tool, n]) => `${tool} ${(n / sends).toFixed(1)}`)
    .sort()
    .join(', ');
}

/** The bare binding, and the durable store over an in-process postgres MCP server on PGlite and Postgres. */
async function overheadInProcess(): Promise<OverheadRow[]> {
  const issuer = await startTestIssuer();
  const user = randomUUID();
  const token = await issuer.sign(user, 'read trade');
  const serviceToken = await issuer.sign('service:bench-echo', 'service');
  const rows: OverheadRow[] = [];
  try {
    const bare = await startEchoAgent(issuer.verify);
    rows.push({ label: 'in-memory task store (bare binding)', result: await measurePair(bare, token, RUNS) });
    await bare.close();

    for (const [kind, backend] of testBackends('bench_a2a')) {
      const db = await backend.open();
      try {
        await migrate(db, LEDGER_MIGRATIONS);
        const mcpServer = await serveMcpSpec(ledgerServerSpec(ledgerStores(db)), issuer);
        const mcp = connectMcp(mcpServer.url, {
          name: 'bench-echo',
          sessionAuthorization: () => `Bearer ${serviceToken}`,
        });
        // As the agents run (push configs in the store too), then without push to see what it costs.
        for (const push of [true, false]) {
          const tools = counting(mcp);
          const agent = await startEchoAgent(issuer.verify, tools, { push });
          const result = await measurePair(agent, token, DURABLE_RUNS);
          await new Promise((r) => setTimeout(r, 200)); // let fire-and-forget push lookups land
          const sends = result.runs + Math.min(WARMUP, result.runs);
          rows.push({
            label: `durable, postgres MCP server in process on ${kind === 'pglite' ? 'PGlite' : 'Postgres'}${push ? '' : ', push off'}`,
            result,
            callsPerSend: callsPerSend(tools.counts, sends),
          });
          await agent.close();
        }
        await mcp.close();
        await mcpServer.close();
      } finally {
        await db.close();
        await backend.cleanup();
      }
    }
  } finally {
    await issuer.close();
  }
  return rows;
}

/** The demo user's access token, from the gateway's login. */
async function demoToken(mesh: TestMesh): Promise<string> {
  const res = await fetch(`${mesh.urls.gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: mesh.config.demo.email, password: mesh.config.demo.password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * On the mesh: the echo agent in this process with its tasks in the mesh's postgres MCP server
 * (its own process, PGlite), then the portfolio-manager itself.
 */
async function overheadOnMesh(
  mesh: TestMesh,
  token: string,
): Promise<{ row: OverheadRow; pm: ReturnType<typeof stat>; pmRuns: number }> {
  const serviceTokens = new ServiceTokenSource({
    authUrl: mesh.urls.auth!,
    clientId: 'bench-echo',
    clientSecret: mesh.env.STOCKPULSE_SERVICE_SECRET!,
  });
  const mcp = connectMcp(mesh.urls.postgres!, {
    name: 'bench-echo',
    sessionAuthorization: () => serviceTokens.authorization(),
  });
  const tools = counting(mcp);
  const agent = await startEchoAgent(createVerifier({ authUrl: mesh.urls.auth! }), tools);
  const result = await measurePair(agent, token, DURABLE_RUNS);
  await new Promise((r) => setTimeout(r, 200));
  const row = {
    label: "durable, the mesh's postgres MCP server (own process, PGlite)",
    result,
    callsPerSend: callsPerSend(tools.counts, result.runs + Math.min(WARMUP, result.runs)),
  };
  await agent.close();
  await mcp.close();

  const expected = formatUsd(expectedDemoValue().totalValue);
  const pm = await createA2AClient(mesh.urls['portfolio-manager']!, { authorization: `Bearer ${token}` });
  const ask = async () => {
    const answer = await sendText(pm, QUESTION, { data: { skill: 'portfolio-analysis' } });
    if (!answer.text.includes(expected)) throw new AppError('internal', `unexpected answer: ${answer.text}`);
  };
  await timeLoop(ask, 20, []);
  const times: number[] = [];
  await timeLoop(ask, PM_RUNS, times);
  return { row, pm: stat(times), pmRuns: PM_RUNS };
}

// --- (b) delegation throughput ---------------------------------------------------------------------------

interface ThroughputResult {
  replicas: number;
  turns: number;
  errors: number;
  seconds: number;
  latencies: number[];
  /** Turns/s of each window, in order. */
  rounds: number[];
  /** CPU seconds per process of the loaded mesh, and of this process, over the windows. */
  cpu: Map<string, number>;
  /** CPU seconds the other (idle) mesh used meanwhile. */
  idleMesh: number;
  /** The whole machine's busy CPU seconds over the windows (every process, ours or not). */
  machineBusy: number;
  /** MCP tool calls on the postgres and timescale servers: count and server-side seconds, by tool. */
  tools: Map<string, { calls: number; seconds: number }>;
  /** The mesh's last log lines that report a MaxListenersExceededWarning. */
  listenerWarningLines: string[];
}

/** One AG-UI turn on the user-assistant, checked against the independently computed value. */
async function aguiTurn(url: string, token: string, threadId: string, expected: string): Promise<void> {
  const res = await fetch(`${url}/agui`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      threadId,
      runId: randomUUID(),
      messages: [{ id: randomUUID(), role: 'user', content: QUESTION }],
      tools: [],
      context: [],
      state: {},
      forwardedProps: {},
    }),
  });
  if (!res.ok) throw new Error(`agui ${res.status}`);
  const events = await readSse(res);
  const text = events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');
  if (!text.includes(expected))
    throw new Error(`unexpected answer (want ${expected}): ${text.slice(0, 300)}`);
}

async function waitForReplicas(mesh: TestMesh, token: string, n: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${mesh.urls.registry}/v1/agents?skill=portfolio-analysis`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const listed = res.ok ? ((await res.json()) as { agents: unknown[] }).agents.length : 0;
    if (listed === n) return;
    if (Date.now() > deadline) throw new Error(`registry lists ${listed} portfolio-managers, want ${n}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const pids = (mesh: TestMesh) => mesh.mesh.status().filter((s) => s.pid !== undefined);
const add = <K>(m: Map<K, number>, k: K, n: number) => m.set(k, (m.get(k) ?? 0) + n);
let turnErrors = 0;

/** CONCURRENCY workers, each its own conversation, turning until `until`; failures are counted. */
async function drive(ua: string, token: string, until: number, latencies: number[]): Promise<number> {
  const expected = formatUsd(expectedDemoValue().totalValue);
  let errors = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      const thread = `bench-${randomUUID()}`;
      while (performance.now() < until) {
        const t = performance.now();
        try {
          await aguiTurn(ua, token, thread, expected);
          latencies.push(performance.now() - t);
        } catch (e) {
          errors++;
          if (++turnErrors <= 3) process.stderr.write(`turn failed: ${(e as Error).message}\n`);
        }
      }
    }),
  );
  return errors;
}

/** One window of load on `target` while `idle` (the other configuration) sits idle. */
async function loadWindow(target: TestMesh, idle: TestMesh, into: ThroughputResult): Promise<void> {
  const token = await demoToken(target);
  const procs = pids(target);
  const idleProcs = pids(idle);
  const servers = [target.urls.postgres!, target.urls.timescale!];
  const toolsBefore = await Promise.all(servers.map(toolMetrics));
  const before = procs.map((p) => cpuSeconds(p.pid!));
  const idleBefore = idleProcs.reduce((s, p) => s + cpuSeconds(p.pid!), 0);
  const machineBefore = machineCpu();
  const selfBefore = process.cpuUsage();
  const t0 = performance.now();
  const latencies: number[] = [];
  const errors = await drive(target.urls['user-assistant']!, token, t0 + SECONDS * 1000, latencies);
  const seconds = (performance.now() - t0) / 1000;
  const self = process.cpuUsage(selfBefore);
  into.machineBusy += machineCpu().busy - machineBefore.busy;
  into.idleMesh += idleProcs.reduce((s, p) => s + cpuSeconds(p.pid!), 0) - idleBefore;
  for (const [i, p] of procs.entries()) add(into.cpu, p.name, cpuSeconds(p.pid!) - before[i]!);
  add(into.cpu, 'bench client (this process)', (self.user + self.system) / 1e6);
  const toolsAfter = await Promise.all(servers.map(toolMetrics));
  for (const [i, after] of toolsAfter.entries()) {
    for (const [tool, a] of after) {
      const b = toolsBefore[i]!.get(tool) ?? { calls: 0, seconds: 0 };
      const t = into.tools.get(tool) ?? { calls: 0, seconds: 0 };
      into.tools.set(tool, {
        calls: t.calls + a.calls - b.calls,
        seconds: t.seconds + a.seconds - b.seconds,
      });
    }
  }
  into.turns += latencies.length;
  into.errors += errors;
  into.seconds += seconds;
  into.rounds.push(latencies.length / seconds);
  into.latencies.push(...latencies);
}

/**
 * Both configurations live at once (the idle one costs only heartbeats), loaded in alternating
 * windows, so whatever else runs on the shared machine hits both alike.
 */
async function throughput(one: TestMesh, two: TestMesh): Promise<ThroughputResult[]> {
  const results = [1, 2].map(
    (replicas): ThroughputResult => ({
      replicas,
      turns: 0,
      errors: 0,
      seconds: 0,
      latencies: [],
      rounds: [],
      cpu: new Map(),
      idleMesh: 0,
      machineBusy: 0,
      tools: new Map(),
      listenerWarningLines: [],
    }),
  );
  const meshes = [one, two];
  for (const [i, mesh] of meshes.entries()) {
    const token = await demoToken(mesh);
    await waitForReplicas(mesh, token, i + 1);
    // Warm-up: clients, MCP sessions and JIT on every replica.
    await drive(mesh.urls['user-assistant']!, token, performance.now() + 5_000, []);
  }
  for (let round = 0; round < ROUNDS; round++) {
    await loadWindow(one, two, results[0]!);
    await loadWindow(two, one, results[1]!);
  }
  for (const [i, mesh] of meshes.entries()) {
    results[i]!.listenerWarningLines = mesh.logs().filter((l) => l.includes('MaxListenersExceededWarning'));
  }
  return results;
}

// --- run -------------------------------------------------------------------------------------------------

const started = load();
const rows: OverheadRow[] = [];
let pmDirect: { pm: ReturnType<typeof stat>; pmRuns: number } | undefined;
const tput: ThroughputResult[] = [];

if (PART !== 'throughput') rows.push(...(await overheadInProcess()));
if (WITH_MESH) {
  const one = await startTestMesh();
  let two: TestMesh | undefined;
  try {
    if (PART !== 'throughput') {
      const { row, ...pm } = await overheadOnMesh(one, await demoToken(one));
      rows.push(row);
      pmDirect = pm;
    }
    if (PART !== 'overhead') {
      // `portfolioManagerReplicas` counts replicas beyond the first: 1 gives two portfolio-managers.
      two = await startTestMesh({ portfolioManagerReplicas: 1 });
      tput.push(...(await throughput(one, two)));
    }
  } finally {
    await two?.stop();
    await one.stop();
  }
}

const date = new Date().toISOString().slice(0, 10);
let out = `## A2A: \`SendMessage\` overhead and delegation throughput (${date}, ${process.version}, ${cpus().length} cores)

\`node --import tsx bench/a2a.ts\`. Load average at the start ${started}, at the end ${load()} (the machine
was shared).
`;
if (rows.length) {
  const bare = rows[0]!.result;
  const overhead = bare.a2a.p50 - bare.plain.p50;
  out += `
**(a) \`SendMessage\` round trip vs a plain POST doing the same work** (ms; loopback; client and agent in one
process). The agent is \`mountA2A\` on \`createServiceApp\` with the product's verifier (\`createVerifier\`,
ES256 JWT against a JWKS, keys cached); its executor starts a task, publishes one artifact echoing the request's
data part, and completes it. The plain route on the same app verifies the same token, parses the body and
returns the same echo. A2A calls use \`createA2AClient\` + \`sendText\` (the product's client, \`@a2a-js/sdk\`
JSON-RPC), plain calls \`fetch\`; alternating blocks of ${BLOCK} after ${WARMUP} warm-up calls each.

| task store | calls | plain POST p50 / p99 | SendMessage p50 / p99 | overhead p50 / p99 | store calls per SendMessage |
| --- | --- | --- | --- | --- | --- |
${rows
  .map(
    ({ label, result: r, callsPerSend }) =>
      `| ${label} | ${r.runs.toLocaleString('en-US')} | ${ms(r.plain.p50)} / ${ms(r.plain.p99)} | ${ms(r.a2a.p50)} / ${ms(r.a2a.p99)} | **${ms(r.a2a.p50 - r.plain.p50)}** / ${ms(r.a2a.p99 - r.plain.p99)} | ${callsPerSend ?? '—'} |`,
  )
  .join('\n')}
${
  pmDirect
    ? `
The real portfolio-manager (mesh, own process, durable store, push on), \`SendMessage\` "${QUESTION}" with
\`{ skill: 'portfolio-analysis' }\` (valuation over the postgres and timescale MCP servers), ${pmDirect.pmRuns} calls
after 20 warm-up: p50 ${ms(pmDirect.pm.p50)} ms, p99 ${ms(pmDirect.pm.p99)} ms.
`
    : ''
}
Target: overhead < 2 ms p50 on the bare binding — **${overhead < 2 ? 'met' : 'missed'}** (${ms(overhead)} ms).
${
  listenerWarnings.count
    ? `\nThis process got ${listenerWarnings.count} MaxListenersExceededWarnings during (a), up to ${listenerWarnings.max} abort listeners on one AbortSignal (the durable store's \`connectMcp\` client).\n`
    : ''
}`;
}
if (tput.length) {
  const [a, b] = tput as [ThroughputResult, ThroughputResult];
  const rate = (t: ThroughputResult) => t.turns / t.seconds;
  const ours = (t: ThroughputResult) => [...t.cpu.values()].reduce((s, x) => s + x, 0);
  const pct = (t: ThroughputResult, sec: number) => ((sec / t.seconds) * 100).toFixed(0);
  const perTurn = (t: ThroughputResult, sec: number) => ((sec * 1000) / t.turns).toFixed(1);
  const ratio = rate(b) / rate(a);
  const roundRatios = a.rounds.map((r, i) => (b.rounds[i]! / r).toFixed(2));
  out += `
**(b) Delegation throughput, 1 vs 2 portfolio-managers.** "${QUESTION}" as AG-UI runs on the user-assistant's
\`/agui\` (the demo user's token from the gateway's login), ${CONCURRENCY} turns in flight, each worker its own
conversation. A turn: user-assistant → registry search → portfolio-manager over A2A (round robin over the healthy
replicas; task persisted in the postgres MCP server) → postgres + timescale MCP → answer, checked against the
independently computed value. Two meshes run side by side (\`startTestMesh()\` and
\`startTestMesh({ portfolioManagerReplicas: 1 })\`, which adds one replica: two in all; PGlite everywhere), loaded
in alternating ${SECONDS} s windows, ${ROUNDS} each, after 5 s of warm-up each, so other work on the shared machine
hits both alike. The idle mesh only heartbeats.

| portfolio-managers | turns | errors | turns/s | turns/s per window | latency p50 / p99 (ms) |
| --- | --- | --- | --- | --- | --- |
${tput
  .map((t) => {
    const l = stat(t.latencies);
    return `| ${t.replicas} | ${t.turns} | ${t.errors} | **${rate(t).toFixed(1)}** | ${t.rounds.map((r) => r.toFixed(1)).join(', ')} | ${l.p50.toFixed(0)} / ${l.p99.toFixed(0)} |`;
  })
  .join('\n')}

Ratio 2 : 1 = **${ratio.toFixed(2)}×** (per window pair: ${roundRatios.join(', ')}) — target ≥ 1.7× **${ratio >= 1.7 ? 'met' : 'missed'}**.

Where the CPU went (from \`/proc/<pid>/stat\`): % of one core over the loaded windows (the machine has ${cpus().length}
cores, so ${cpus().length * 100}% is all of it), CPU ms per turn, and the ceiling that cost sets: turns/s if the
process had a core to itself (one event loop each; for the whole mesh, all ${cpus().length} cores to itself).

| process | ${tput.map((t) => `${t.replicas} PM: % core | ms/turn | ceiling turns/s`).join(' | ')} |
| --- | ${tput.map(() => '--- | --- | ---').join(' | ')} |
${[...new Set(tput.flatMap((t) => [...t.cpu.keys()]))]
  .map(
    (name) =>
      `| ${name} | ${tput
        .map((t) => {
          const sec = t.cpu.get(name);
          return sec === undefined
            ? '— | — | —'
            : `${pct(t, sec)} | ${perTurn(t, sec)} | ${(t.turns / sec).toFixed(0)}`;
        })
        .join(' | ')} |`,
  )
  .join('\n')}
| **the loaded mesh + this process** | ${tput.map((t) => `**${pct(t, ours(t))}** | **${perTurn(t, ours(t))}** | ${((t.turns / ours(t)) * cpus().length).toFixed(0)}`).join(' | ')} |
| the idle mesh | ${tput.map((t) => `${pct(t, t.idleMesh)} | — | —`).join(' | ')} |
| everything else on the machine | ${tput.map((t) => `${pct(t, t.machineBusy - ours(t) - t.idleMesh)} | — | —`).join(' | ')} |
| **machine busy** | ${tput.map((t) => `${pct(t, t.machineBusy)} | — | —`).join(' | ')} |

Services that logged a MaxListenersExceededWarning (in the last 200 log lines of each mesh): ${tput
    .map((t) => {
      const names = [...new Set(t.listenerWarningLines.map((l) => /^\S+/.exec(l)?.[0] ?? '?'))];
      return `${t.replicas} PM mesh: ${t.listenerWarningLines.length} lines${names.length ? ` (${names.join(', ')})` : ''}`;
    })
    .join('; ')}.

MCP tool calls per turn and mean server-side time per call, from the postgres and timescale servers' \`/metrics\`:

| tool | ${tput.map((t) => `${t.replicas} PM: calls/turn | ms/call`).join(' | ')} |
| --- | ${tput.map(() => '--- | ---').join(' | ')} |
${[...new Set(tput.flatMap((t) => [...t.tools.keys()]))]
  .sort()
  .map(
    (tool) =>
      `| \`${tool}\` | ${tput
        .map((t) => {
          const x = t.tools.get(tool);
          return x && x.calls > 0
            ? `${(x.calls / t.turns).toFixed(2)} | ${((x.seconds / x.calls) * 1000).toFixed(1)}`
            : '— | —';
        })
        .join(' | ')} |`,
  )
  .join('\n')}
`;
}
console.log(out);
