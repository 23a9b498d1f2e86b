import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestMesh } from '../../../test/harness/mesh.js';
import { repoRoot } from '../src/paths.js';
import { isAlive } from './helpers.js';

const authExists = existsSync(path.join(repoRoot, 'mcp-servers/auth/src/main.ts'));
const bin = fileURLToPath(new URL('../bin/stockpulse.js', import.meta.url));

describe('with the real auth server', () => {
  it.skipIf(!authExists)(
    'startTestMesh runs it on its own ports with the generated service secret',
    async () => {
      const mesh = await startTestMesh({ services: ['auth'] });
      try {
        expect(mesh.urls.auth).toBe(`http://127.0.0.1:${mesh.env.MCP_AUTH_PORT}`);
        expect(Number(mesh.env.MCP_AUTH_PORT)).toBeGreaterThanOrEqual(20_000);
        expect(mesh.config.dataDir).toBe(mesh.dataDir);

        const health = await fetch(`${mesh.urls.auth}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({ status: 'ok', service: 'mcp-auth' });

        // The secret the harness generated reached the child: client credentials work with it only.
        const token = (secret: string) =>
          fetch(`${mesh.urls.auth}/oauth/token`, {
            method: 'POST',
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: 'e2e-test',
              client_secret: secret,
            }),
          });
        const ok = await token(mesh.env.STOCKPULSE_SERVICE_SECRET!);
        expect(ok.status).toBe(200);
        expect(await ok.json()).toMatchObject({ token_type: 'Bearer', scope: 'service' });
        expect((await token('wrong-secret-wrong-secret-wrong')).status).toBe(401);
      } finally {
        await mesh.stop();
      }
      expect(existsSync(mesh.dataDir)).toBe(false);
      expect(mesh.mesh.status().every((s) => s.state === 'stopped' && s.pid === undefined)).toBe(true);
    },
    120_000,
  );

  it.skipIf(!authExists)(
    'stockpulse mcp auth --stdio speaks MCP on stdout and exits with the server',
    async () => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'stockpulse-stdio-'));
      const child = spawn(process.execPath, [bin, 'mcp', 'auth', '--stdio'], {
        cwd: repoRoot,
        env: { ...process.env, STOCKPULSE_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      try {
        const stdout = readline.createInterface({ input: child.stdout! });
        const firstLine = new Promise<string>((resolve) => stdout.once('line', resolve));
        child.stdin!.write(
          `${JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              clientInfo: { name: 'cli-test', version: '1.0.0' },
            },
          })}\n`,
        );
        // Every stdout line is protocol: the very first one is the initialize result.
        const reply = JSON.parse(await firstLine);
        expect(reply).toMatchObject({ jsonrpc: '2.0', id: 1, result: { serverInfo: expect.any(Object) } });

        const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
        child.stdin!.end();
        expect(await exited).toBe(0);
      } finally {
        if (child.exitCode === null && child.pid && isAlive(child.pid)) child.kill('SIGKILL');
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
