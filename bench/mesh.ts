/**
 * Walking-skeleton bars: mesh start time (cold: fresh data dir, seeds everything; warm: existing
 * data), idle memory of every process, and the tracer request's latency on a warm mesh.
 *
 *   npm run bench            # prints a markdown report; copy it into bench/RESULTS.md
 */
import { readFileSync } from 'node:fs';
import { formatUsd } from '@stockpulse/domain';
import { expectedDemoValue, readSse } from '../test/harness/expected.js';
import { startTestMesh } from '../test/harness/mesh.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const mesh = await startTestMesh(); // mesh.mesh.stop() below keeps the data dir for the warm start
const cold = mesh.mesh.startMs;
const dataDir = mesh.dataDir;
const env = mesh.env;
await mesh.mesh.stop();

// Warm start: same data dir and ports, nothing left to seed.
const { startMesh } = await import('@stockpulse/cli');
const warmMesh = await startMesh({ env, quiet: true });
const warm = warmMesh.startMs;

await new Promise((r) => setTimeout(r, 5_000)); // let start-up garbage settle
const memory = warmMesh
  .status()
  .filter((s) => s.pid)
  .map((s) => ({ name: s.name, mb: rssMb(s.pid!) }));
const totalMb = memory.reduce((s, m) => s + m.mb, 0);

const gateway = warmMesh.urls.gateway!;
const login = await fetch(`${gateway}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'demo@stockpulse.local', password: 'stockpulse-demo' }),
});
const { accessToken } = (await login.json()) as { accessToken: string };
const expected = formatUsd(expectedDemoValue().totalValue);
const times: number[] = [];
for (let i = 0; i < RUNS + 2; i++) {
  const t0 = performance.now();
  const res = await fetch(`${gateway}/api/v1/agent`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      threadId: 'bench',
      runId: `run-${i}`,
      messages: [{ id: 'm', role: 'user', content: 'What is my portfolio worth?' }],
      tools: [],
      context: [],
      state: {},
      forwardedProps: {},
    }),
  });
  const events = await readSse(res);
  const ms = performance.now() - t0;
  const text = events
    .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
    .map((e) => e.delta)
    .join('');
  if (!text.includes(expected)) throw new Error(`unexpected answer: ${text}`);
  if (i >= 2) times.push(ms); // two warm-up runs
}
await warmMesh.stop();
const { rmSync } = await import('node:fs');
rmSync(dataDir, { recursive: true, force: true });

times.sort((a, b) => a - b);
const f = (n: number) => n.toFixed(0);
console.log(`## Walking skeleton (${new Date().toISOString().slice(0, 10)}, ${process.version}, ${(await import('node:os')).cpus().length} cores)

| measure | value | bar |
| --- | --- | --- |
| cold start (fresh data dir: initdb ×5, seed 2+ years of bars for ${'~500'} symbols, demo user/portfolio, graph, news) | ${(cold / 1000).toFixed(1)} s | — |
| warm start (installed deps, existing data) → all healthy | ${(warm / 1000).toFixed(1)} s | < 20 s |
| idle RSS, all ${memory.length} processes | ${f(totalMb)} MB | < 1500 MB |
| tracer request p50 / p90 / max over ${RUNS} runs (login once; gateway → … → MCP → SSE complete) | ${f(percentile(times, 50))} / ${f(percentile(times, 90))} / ${f(times.at(-1)!)} ms | < 1000 ms |

Idle RSS per process (MB): ${memory.map((m) => `${m.name} ${f(m.mb)}`).join(', ')}.
`);
