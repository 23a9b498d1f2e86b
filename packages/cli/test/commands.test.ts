import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PORT_ENV } from '../../../test/harness/mesh.js';
import { repoRoot } from '../src/paths.js';
import { isAlive, waitFor } from './helpers.js';

const bin = fileURLToPath(new URL('../bin/stockpulse.js', import.meta.url));
const exists = (name: string) => existsSync(path.join(repoRoot, `mcp-servers/${name}/src/main.ts`));
const authExists = exists('auth');

// Generous: these start real PGlite-backed servers, and test machines may be busy.
const READY_MS = 150_000;
const TEST_MS = 200_000;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** The CLI as a user runs it, on a private port range and data dir. */
function runCli(args: string[]) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'stockpulse-cmd-'));
  // Below the harness's range and Linux's ephemeral ports (32768+), which outgoing connections take.
  const base = 12_000 + Math.floor(Math.random() * 799) * 10;
  const ports = Object.fromEntries(PORT_ENV.map((name, i) => [name, String(base + i)]));
  const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...ports, STOCKPULSE_DATA_DIR: dataDir, NO_COLOR: '1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    readline.createInterface({ input: stream }).on('line', (l) => out.push(l));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const text = () => out.join('\n');
  /** Wait for the output to satisfy `check`; fail at once, showing the output, if the CLI exits. */
  const until = (check: () => boolean, what: string) =>
    waitFor(
      () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(`stockpulse exited (${child.exitCode ?? child.signalCode}) before ${what}`);
        }
        return check();
      },
      READY_MS,
      what,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${text()}`);
    });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { child, out, exited, dataDir, text, until };
}

const pidsIn = (text: string) => [...text.matchAll(/is healthy pid=(\d+)/g)].map((m) => Number(m[1]));

describe('stockpulse start', () => {
  it.skipIf(!authExists)(
    'prints the ready banner, and on SIGINT stops its services and exits 0',
    async () => {
      const cli = runCli(['start', '--only', 'auth']);
      await cli.until(() => /StockPulse services are up/.test(cli.text()), 'the ready banner');
      const text = cli.text();
      expect(text).toMatch(/\[auth\] +\d\d:\d\d:\d\d\.\d{3} INFO {2}mcp server listening url=/);
      expect(text).toMatch(/demo login demo@stockpulse\.local \/ \S+/);
      expect(text).toMatch(/1 services started in \d+\.\d s/);
      expect(existsSync(path.join(cli.dataDir, 'service-secret'))).toBe(true);
      const [authPid] = pidsIn(text);
      expect(authPid && isAlive(authPid)).toBe(true);

      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      expect(isAlive(authPid!)).toBe(false);
      expect(cli.text()).toMatch(/SIGINT received, stopping/);
      expect(cli.text()).toMatch(/\[auth\].*shutting down signal=SIGTERM/);
    },
    TEST_MS,
  );

  it.skipIf(!authExists)(
    '--json prints NDJSON only; SIGKILLing the supervisor still ends the services it started',
    async () => {
      const cli = runCli(['start', '--only', 'auth', '--json']);
      await cli.until(() => cli.out.some((l) => l.includes('"msg":"ready"')), 'the ready line');
      const lines = cli.out.filter((l) => l.trim() !== '');
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
      expect(lines.some((l) => l.includes('"service":"mcp-auth"'))).toBe(true);

      const [authPid] = [...cli.text().matchAll(/"msg":"auth is healthy","pid":(\d+)/g)].map((m) =>
        Number(m[1]),
      );
      expect(authPid && isAlive(authPid)).toBe(true);
      cli.child.kill('SIGKILL');
      // Its log pipes died with the supervisor: it must still get through its shutdown and exit.
      await waitFor(() => !isAlive(authPid!), 12_000, 'the orphaned auth server to exit');
    },
    TEST_MS,
  );
});

describe('stockpulse seed', () => {
  it.skipIf(!authExists || !exists('postgres'))(
    'starts the data servers, reports what they hold, and stops them',
    async () => {
      const cli = runCli(['seed']);
      expect(await cli.exited).toBe(0);
      const text = cli.text();
      expect(text).toMatch(/What each store reports:/);
      expect(text).toMatch(/^ {2}auth +ok {2}backend=pglite/m);
      expect(text).toMatch(/demo portfolio seeded/);
      expect(text).toMatch(/Seeding is idempotent/);
      const pids = pidsIn(text);
      expect(pids.length).toBeGreaterThanOrEqual(2);
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
    },
    TEST_MS,
  );
});
