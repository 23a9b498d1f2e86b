import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Mesh, startMesh } from '../src/mesh.js';
import type { LogLineMeta } from '../src/output.js';
import { repoRoot } from '../src/paths.js';
import type { ServiceSpec } from '../src/services.js';
import { tinyManifest } from './fixtures/manifest.js';
import { freePort, isAlive, status, waitFor } from './helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'stockpulse-cli-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const meshes: Mesh[] = [];
afterEach(async () => {
  await Promise.all(meshes.splice(0).map((m) => m.stop()));
});

function collect() {
  const lines: { line: string; meta: LogLineMeta }[] = [];
  return {
    lines,
    sink: (line: string, meta: LogLineMeta) => lines.push({ line, meta }),
    text: () => lines.map((l) => l.line).join('\n'),
    indexOf: (re: RegExp) => lines.findIndex((l) => re.test(l.line)),
  };
}

async function startTiny(
  opts: { betaOnSigterm?: 'ignore' | 'block'; stopTimeoutMs?: number; extra?: ServiceSpec[] } = {},
) {
  const log = collect();
  const alphaPort = await freePort();
  const betaPort = await freePort();
  const mesh = await startMesh({
    manifest: [...tinyManifest(alphaPort, betaPort, opts), ...(opts.extra ?? [])],
    env: { STOCKPULSE_DATA_DIR: dataDir, STOCKPULSE_SERVICE_SECRET: 'test-secret-0123456789' },
    quiet: true,
    logSink: log.sink,
    backoff: { initialMs: 100 },
    stopTimeoutMs: opts.stopTimeoutMs,
  });
  meshes.push(mesh);
  const pid = (name: string) => mesh.status().find((s) => s.name === name)?.pid;
  return { mesh, log, alphaPort, betaPort, pid };
}

describe('supervisor', () => {
  it('starts services in dependency order and renders their logs', async () => {
    const { mesh, log, alphaPort, betaPort } = await startTiny();
    expect(mesh.status().map((s) => [s.name, s.state])).toEqual([
      ['alpha', 'healthy'],
      ['beta', 'healthy'],
    ]);
    expect(await status(`http://127.0.0.1:${alphaPort}/healthz`)).toBe(200);
    expect(await status(`http://127.0.0.1:${betaPort}/healthz`)).toBe(200);

    // beta is spawned only once alpha answers its health check.
    const alphaHealthy = log.indexOf(/\[stockpulse\].*alpha is healthy/);
    const betaListening = log.indexOf(/\[beta\].*tiny service listening/);
    expect(alphaHealthy).toBeGreaterThanOrEqual(0);
    expect(betaListening).toBeGreaterThan(alphaHealthy);

    // pino JSON becomes one compact line: time, level, message, a few fields.
    const line = log.lines[betaListening]!;
    expect(line.line).toMatch(
      /^\[beta\] +\d\d:\d\d:\d\d\.\d{3} INFO {2}tiny service listening url=http:\/\/127\.0\.0\.1:\d+ pid=\d+ answer=42$/,
    );
    expect(line.line).not.toContain('"level"');
    expect(line.meta).toMatchObject({ service: 'beta', stream: 'stdout', level: 30 });
    // Plain stderr lines pass through, prefixed.
    expect(log.text()).toMatch(/\[alpha\] +alpha plain stderr line/);
  });

  it('restarts a child killed with SIGKILL, with backoff, and restart() swaps a process', async () => {
    const { mesh, log, betaPort, pid } = await startTiny();
    const before = pid('beta')!;
    expect(mesh.kill('beta', 'SIGKILL')).toBe(before);

    await waitFor(() => (pid('beta') ?? before) !== before, 10_000, 'beta to be respawned');
    const after = await mesh.whenHealthy('beta', 20_000);
    expect(after.pid).not.toBe(before);
    expect(after.restarts).toBe(1);
    expect(isAlive(before)).toBe(false);
    expect(await status(`http://127.0.0.1:${betaPort}/healthz`)).toBe(200);
    expect(log.text()).toMatch(/beta exited unexpectedly \(signal SIGKILL\); restarting inMs=100 restarts=1/);

    // A second crash soon after waits twice as long.
    mesh.kill('beta', 'SIGKILL');
    await waitFor(() => /restarting inMs=200 restarts=2/.test(log.text()), 5000, 'second backoff');
    await mesh.whenHealthy('beta', 20_000);

    // A deliberate restart is not a crash.
    const alphaBefore = pid('alpha')!;
    await mesh.restart('alpha');
    expect(pid('alpha')).not.toBe(alphaBefore);
    expect(mesh.status().find((s) => s.name === 'alpha')?.restarts).toBe(0);
    expect(isAlive(alphaBefore)).toBe(false);
  });

  it('stop() stops dependents first and leaves no process behind', async () => {
    const { mesh, log, pid } = await startTiny();
    const pids = [pid('alpha')!, pid('beta')!];
    await mesh.stop();
    expect(pids.map(isAlive)).toEqual([false, false]);
    expect(mesh.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
    const betaDown = log.indexOf(/\[beta\].*shutting down signal=SIGTERM/);
    const alphaDown = log.indexOf(/\[alpha\].*shutting down signal=SIGTERM/);
    expect(betaDown).toBeGreaterThanOrEqual(0);
    expect(alphaDown).toBeGreaterThan(betaDown);
    expect(log.text()).not.toMatch(/exited unexpectedly/);
    // Idempotent.
    await mesh.stop();
  });

  it('SIGKILLs a child that ignores SIGTERM after the stop timeout', async () => {
    const { mesh, log, pid } = await startTiny({ betaOnSigterm: 'ignore', stopTimeoutMs: 1000 });
    const beta = pid('beta')!;
    const t0 = Date.now();
    await mesh.stop();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(isAlive(beta)).toBe(false);
    expect(log.text()).toMatch(/beta did not stop within 1000 ms; killing it/);
  });

  it('skips services whose entry file does not exist yet', async () => {
    const { mesh, log } = await startTiny({
      extra: [
        {
          name: 'later',
          entry: 'not-written-yet/src/main.ts',
          healthUrl: 'http://127.0.0.1:1/healthz',
          dependsOn: ['alpha'],
          startTimeoutMs: 1000,
        },
      ],
    });
    expect(mesh.skipped).toEqual(['later']);
    expect(mesh.started).toEqual(['alpha', 'beta']);
    expect(log.text()).toMatch(/later skipped: not-written-yet\/src\/main\.ts does not exist yet/);
  });

  it('fails the start clearly when a service dies before it is healthy, and stops the rest', async () => {
    const log = collect();
    const alphaPort = await freePort();
    const [alpha] = tinyManifest(alphaPort, 1);
    const broken: ServiceSpec = {
      name: 'broken',
      entry: fixture('exit-at-once.ts'),
      healthUrl: 'http://127.0.0.1:1/healthz',
      dependsOn: ['alpha'],
      startTimeoutMs: 20_000,
    };
    await expect(
      startMesh({
        manifest: [alpha!, broken],
        env: { STOCKPULSE_DATA_DIR: dataDir, STOCKPULSE_SERVICE_SECRET: 'test-secret-0123456789' },
        quiet: true,
        logSink: log.sink,
      }),
    ).rejects.toThrow('broken exited (exit code 3) before it became healthy');
    expect(log.text()).toMatch(/\[broken\] +exit-at-once: cannot start/);
    expect(await status(`http://127.0.0.1:${alphaPort}/healthz`)).toBe(0);
  });

  it('refuses to start when a port is taken', async () => {
    const net = await import('node:net');
    const blocker = net.createServer();
    const port = await new Promise<number>((r) =>
      blocker.listen(0, '127.0.0.1', () => r((blocker.address() as { port: number }).port)),
    );
    try {
      await expect(
        startMesh({
          manifest: tinyManifest(port, await freePort()),
          env: { STOCKPULSE_DATA_DIR: dataDir, STOCKPULSE_SERVICE_SECRET: 'test-secret-0123456789' },
          quiet: true,
        }),
      ).rejects.toThrow(`port ${port} for alpha is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('children exit on their own when the supervisor is SIGKILLed (no orphans)', async () => {
    const alphaPort = await freePort();
    const betaPort = await freePort();
    // SIGTERM wedges beta's main thread, so only parent-watch.ts's watchdog thread can end it.
    const runner = spawn(
      process.execPath,
      ['--import', 'tsx', fixture('run-supervisor.ts'), String(alphaPort), String(betaPort), dataDir],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const ready = await new Promise<{ supervisor: number; pids: Record<string, number> }>(
      (resolve, reject) => {
        runner.once('exit', (code) => reject(new Error(`runner exited early (${code})`)));
        readline.createInterface({ input: runner.stdout! }).on('line', (line) => {
          if (line.startsWith('{"ready"')) resolve(JSON.parse(line));
        });
      },
    );
    const children = Object.values(ready.pids);
    expect(children).toHaveLength(2);
    expect(children.every(isAlive)).toBe(true);

    runner.kill('SIGKILL');
    // alpha shuts down normally (its own SIGTERM path) at once; beta at the 10 s deadline.
    const alphaTook = await waitFor(() => !isAlive(ready.pids.alpha!), 5000, 'alpha to exit');
    expect(alphaTook).toBeLessThan(5000);
    const took = await waitFor(() => !children.some(isAlive), 12_500, 'orphaned children to exit');
    expect(took).toBeLessThan(12_500);
    expect(await status(`http://127.0.0.1:${alphaPort}/healthz`)).toBe(0);
  }, 40_000);
});
