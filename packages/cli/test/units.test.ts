import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@stockpulse/core';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJson, renderPretty } from '../src/log-format.js';
import { assertSafeHost, isLoopback, meshEnv } from '../src/mesh.js';
import { repoRoot } from '../src/paths.js';
import { ensureServiceSecret } from '../src/secret.js';
import { meshServices, selectServices } from '../src/services.js';

const plain = { service: 'auth', width: 8, color: false, prefixColor: '36', stream: 'stdout' as const };

describe('log rendering', () => {
  it('renders a pino line compactly', () => {
    const raw = JSON.stringify({
      level: 30,
      time: '2026-11-25T10:04:05.123Z',
      hostname: 'h',
      service: 'mcp-auth',
      name: 'mcp-auth',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      msg: 'request',
      method: 'GET',
      path: '/mcp',
      status: 200,
      ms: 1.5,
    });
    const out = renderPretty(raw, plain);
    expect(out).toMatch(
      /^\[auth\] {5}\d\d:\d\d:05\.123 INFO {2}request trace=0af76519 method=GET path=\/mcp status=200 ms=1\.5$/,
    );
  });

  it('limits fields, quotes spaces and shows an error stack only at error level', () => {
    const many = JSON.stringify({ level: 40, msg: 'w', a: 1, b: 'two words', c: 3, d: 4, e: 5, f: 6, g: 7 });
    expect(renderPretty(many, plain)).toContain('WARN  w a=1 b="two words" c=3 d=4 e=5 f=6 +1 more');
    const err = JSON.stringify({
      level: 50,
      msg: 'boom',
      err: { type: 'Error', message: 'bad thing', stack: 'Error: bad thing\n    at f (x.ts:1:1)' },
    });
    const lines = renderPretty(err, plain).split('\n');
    expect(lines[0]).toMatch(/ERROR boom err="Error: bad thing"$/);
    expect(lines[1]).toMatch(/^\[auth\] +at f \(x\.ts:1:1\)$/);
  });

  it('passes non-JSON lines through, and keeps NDJSON in json format', () => {
    expect(renderPretty('plain text', plain)).toBe('[auth]     plain text');
    const raw = '{"level":30,"msg":"x"}';
    expect(renderJson(raw, 'auth', 'stdout')).toBe(raw);
    expect(JSON.parse(renderJson('oops', 'auth', 'stderr'))).toMatchObject({
      service: 'auth',
      stream: 'stderr',
      level: 50,
      msg: 'oops',
    });
  });
});

describe('service secret', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'sp-secret-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates <dataDir>/service-secret once, mode 0600, and reuses it', () => {
    const dir = path.join(tmp(), 'nested', 'data');
    const first = ensureServiceSecret(dir);
    expect(first.source).toBe('created');
    expect(first.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(first.file!).mode & 0o777).toBe(0o600);
    const second = ensureServiceSecret(dir);
    expect(second).toMatchObject({ source: 'file', secret: first.secret });
  });

  it('prefers STOCKPULSE_SERVICE_SECRET and rejects short secrets', () => {
    const dir = tmp();
    expect(ensureServiceSecret(dir, 'from-the-environment-123')).toEqual({
      secret: 'from-the-environment-123',
      source: 'env',
    });
    expect(() => ensureServiceSecret(dir, 'short')).toThrow(/at least 16/);
    writeFileSync(path.join(dir, 'service-secret'), 'tiny\n');
    expect(() => ensureServiceSecret(dir)).toThrow(/delete the file/);
  });

  it('tightens a copied-in secret file to 0600', () => {
    const dir = tmp();
    const file = path.join(dir, 'service-secret');
    writeFileSync(file, 'a-long-enough-secret-value\n', { mode: 0o644 });
    expect(ensureServiceSecret(dir).secret).toBe('a-long-enough-secret-value');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).toBe('a-long-enough-secret-value\n');
  });
});

describe('mesh environment', () => {
  it('resolves the data dir to an absolute path (default: <repo>/.stockpulse)', () => {
    expect(meshEnv({ STOCKPULSE_DATA_DIR: undefined }).STOCKPULSE_DATA_DIR).toBe(
      path.join(repoRoot, '.stockpulse'),
    );
    expect(meshEnv({ STOCKPULSE_DATA_DIR: 'rel/dir' }).STOCKPULSE_DATA_DIR).toBe(path.resolve('rel/dir'));
    expect(meshEnv({ FOO: undefined, BAR: 'x' })).toMatchObject({ BAR: 'x' });
  });

  it('demo mode accepts loopback hosts only', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '192.168.1.4', 'example.com'].some(isLoopback)).toBe(false);
    expect(() => assertSafeHost(loadConfig({ STOCKPULSE_HOST: '0.0.0.0' }))).toThrow(/Demo mode is on/);
    expect(() =>
      assertSafeHost(loadConfig({ STOCKPULSE_HOST: '0.0.0.0', STOCKPULSE_DEMO: 'false' })),
    ).not.toThrow();
    expect(() => assertSafeHost(loadConfig({}))).not.toThrow();
  });
});

describe('service manifest', () => {
  const config = loadConfig({ MCP_AUTH_PORT: '9101', GATEWAY_PUBLIC_URL: 'https://stockpulse.example.com' });
  const specs = meshServices(config);

  it('lists every service with its entry, health URL and dependencies', () => {
    expect(specs.map((s) => s.name)).toEqual([
      'auth',
      'postgres',
      'timescale',
      'redis',
      'qdrant',
      'graphiti',
      'registry',
      'portfolio-manager',
      'user-assistant',
      'gateway',
    ]);
    const byName = Object.fromEntries(specs.map((s) => [s.name, s]));
    expect(byName.auth).toMatchObject({
      entry: 'mcp-servers/auth/src/main.ts',
      healthUrl: 'http://127.0.0.1:9101/healthz',
      dependsOn: [],
      startTimeoutMs: 90_000,
    });
    expect(byName.postgres!.dependsOn).toEqual(['auth']);
    expect(byName.registry!.startTimeoutMs).toBe(30_000);
    // The supervisor checks its own child, not the public URL.
    expect(byName.gateway!.healthUrl).toBe('http://127.0.0.1:8080/healthz');
  });

  it('selecting services adds what they depend on', () => {
    expect(selectServices(specs, ['registry']).map((s) => s.name)).toEqual(['auth', 'registry']);
    expect(selectServices(specs, ['gateway']).map((s) => s.name)).toHaveLength(10);
    expect(() => selectServices(specs, ['nope'])).toThrow(/Unknown service "nope"/);
  });
});
