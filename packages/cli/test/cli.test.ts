import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/paths.js';

const bin = fileURLToPath(new URL('../bin/stockpulse.js', import.meta.url));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [bin, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 20_000 });

describe('stockpulse command', () => {
  it('--help lists every command and exits 0', () => {
    for (const args of [['--help'], ['help'], []]) {
      const r = run(...args);
      expect(r.status).toBe(0);
      for (const command of ['start', 'mcp <name> --stdio', 'seed', 'help [command]']) {
        expect(r.stdout).toContain(command);
      }
    }
  });

  it('each command explains itself with --help', () => {
    expect(run('start', '--help').stdout).toMatch(/stockpulse start — [\s\S]*--json[\s\S]*Ctrl-C/);
    const mcp = run('mcp', '--help').stdout;
    expect(mcp).toContain('auth, postgres, redis, qdrant, timescale, graphiti');
    expect(mcp).toContain('claude_desktop_config.json');
    expect(run('seed', '--help').stdout).toMatch(/idempotent/i);
    expect(run('help', 'start').stdout).toContain('stockpulse start —');
  });

  it('an unknown command prints the help and exits 2', () => {
    const r = run('launch-rockets');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown command "launch-rockets"');
    expect(r.stderr).toContain('mcp <name> --stdio');
    expect(r.stdout).toBe('');
  });

  it('usage errors exit 2', () => {
    expect(run('start', '--frobnicate').status).toBe(2);
    const mcp = run('mcp', 'mongodb', '--stdio');
    expect(mcp.status).toBe(2);
    expect(mcp.stderr).toContain('unknown server "mongodb"');
    expect(mcp.stdout).toBe('');
  });

  it('start refuses a non-loopback host in demo mode', () => {
    const r = spawnSync(process.execPath, [bin, 'start', '--only', 'auth'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, STOCKPULSE_HOST: '0.0.0.0', STOCKPULSE_DEMO: 'true' },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/Demo mode is on .* will not listen on 0\.0\.0\.0/);
  });
});
