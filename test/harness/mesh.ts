/**
 * End-to-end test harness: the real StockPulse services, as `stockpulse start` runs them, on a
 * random port range with a fresh data dir and a random service secret, so e2e suites can run in
 * parallel with each other and with a developer's own `npm start`.
 *
 *   const mesh = await startTestMesh({ services: ['registry'] }); // + what it depends on (auth)
 *   try { await fetch(`${mesh.urls.registry}/healthz`) } finally { await mesh.stop() }
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  type LogLineMeta,
  localBaseUrl,
  type Mesh,
  meshServices,
  type ServiceSpec,
  startMesh,
} from '@stockpulse/cli';
import type { StockPulseConfig } from '@stockpulse/core';
import { exchangeInstant, lastClosedTradingDay } from '@stockpulse/domain';

/** Every port the mesh binds, in the order they are laid out from the base port. */
export const PORT_ENV = [
  'REGISTRY_PORT',
  'USER_ASSISTANT_PORT',
  'PORTFOLIO_MANAGER_PORT',
  'GATEWAY_PORT',
  'MCP_AUTH_PORT',
  'MCP_POSTGRES_PORT',
  'MCP_REDIS_PORT',
  'MCP_QDRANT_PORT',
  'MCP_TIMESCALE_PORT',
  'MCP_GRAPHITI_PORT',
] as const;

/**
 * Variables from the developer's shell that would point the test mesh at other services or at
 * real databases; removed unless the test sets them itself.
 */
const INHERITED_URLS = [
  'REGISTRY_URL',
  'MCP_AUTH_URL',
  'MCP_POSTGRES_URL',
  'MCP_REDIS_URL',
  'MCP_QDRANT_URL',
  'MCP_TIMESCALE_URL',
  'MCP_GRAPHITI_URL',
  'USER_ASSISTANT_URL',
  'PORTFOLIO_MANAGER_URL',
  'GATEWAY_PUBLIC_URL',
  'DATABASE_URL',
  'AUTH_DATABASE_URL',
  'TIMESCALE_URL',
  'GRAPHITI_URL',
  'VECTOR_DATABASE_URL',
  'REDIS_URL',
  'QDRANT_URL',
  'QDRANT_API_KEY',
];

const KEPT_LINES = 200;
const PORT_ATTEMPTS = 3;

export interface TestMeshOptions {
  /** Services to run (their dependencies are added); default: all. */
  services?: string[];
  /** Extra environment, over the harness's (e.g. `DATABASE_URL` to test against real Postgres). */
  env?: Record<string, string>;
  /**
   * More portfolio-manager replicas, each its own process on its own port, registered like the first
   * (named `portfolio-manager-2`, `-3`, …; their URLs are in `urls`).
   */
  portfolioManagerReplicas?: number;
}

export interface TestMesh {
  /** Base URL of each service, keyed by service name (`auth`, `registry`, `gateway`, …). */
  urls: Record<string, string>;
  config: StockPulseConfig;
  /** The environment the services run with (ports, data dir, secret…). */
  env: Record<string, string>;
  dataDir: string;
  mesh: Mesh;
  /** Stop every service and delete the data dir. */
  stop(): Promise<void>;
  /** The last 200 output lines of the services and the supervisor. */
  logs(): string[];
}

export async function startTestMesh(opts: TestMeshOptions = {}): Promise<TestMesh> {
  const lines: string[] = [];
  let addressInUse = false;
  const logSink = (line: string, _meta: LogLineMeta) => {
    lines.push(line);
    if (lines.length > KEPT_LINES) lines.shift();
    if (line.includes('EADDRINUSE')) addressInUse = true;
  };

  let lastError: unknown;
  for (let attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
    // A fresh dir per attempt: a failed start may leave a half-initialised database behind.
    const dataDir = mkdtempSync(path.join(tmpdir(), 'stockpulse-e2e-'));
    const env = testEnv(dataDir, opts.env);
    const cleared = Object.fromEntries(
      INHERITED_URLS.filter((name) => !(name in env)).map((name) => [name, undefined]),
    );
    addressInUse = false;
    try {
      const replicas = replicaSpecs(env, opts.portfolioManagerReplicas ?? 0);
      const mesh = await startMesh({
        env: { ...cleared, ...env },
        services: opts.services && [...opts.services, ...replicas.map((r) => r.name)],
        manifest: replicas.length
          ? (config) => [...meshServices(config), ...replicas.map((r) => r.spec(config))]
          : undefined,
        quiet: true,
        logSink,
        color: false,
      });
      return {
        urls: { ...mesh.urls, ...Object.fromEntries(replicas.map((r) => [r.name, r.url])) },
        config: mesh.config,
        env,
        dataDir,
        mesh,
        logs: () => [...lines],
        stop: async () => {
          try {
            await mesh.stop();
          } finally {
            rmSync(dataDir, { recursive: true, force: true });
          }
        },
      };
    } catch (err) {
      lastError = err;
      rmSync(dataDir, { recursive: true, force: true });
      // A port of this range was taken, before the start or by a race during it: try another range.
      if (!/already in use/.test((err as Error).message) && !addressInUse) break;
    }
  }
  process.stderr.write(
    `startTestMesh failed: ${(lastError as Error).message}\n--- last ${lines.length} log lines ---\n${lines.join('\n')}\n---\n`,
  );
  throw lastError;
}

/** Replica n of the portfolio-manager: the same entry, its own port (the second ten of the range) and URL. */
function replicaSpecs(env: Record<string, string>, count: number) {
  const base = Number(env[PORT_ENV[0]]) + PORT_ENV.length;
  return Array.from({ length: count }, (_, i) => {
    const name = `portfolio-manager-${i + 2}`;
    const port = base + i;
    const url = `http://${env.STOCKPULSE_HOST}:${port}`;
    return {
      name,
      url,
      spec: (config: StockPulseConfig): ServiceSpec => {
        const first = meshServices(config).find((s) => s.name === 'portfolio-manager')!;
        return {
          ...first,
          name,
          // A test fixture entry (run through tsx) that sets the replica's port and URL, then runs main.
          entry: 'test/harness/replica.ts',
          args: [first.entry, `PORTFOLIO_MANAGER_PORT=${port}`, `PORTFOLIO_MANAGER_URL=${url}`],
          port,
          portEnv: 'PORTFOLIO_MANAGER_PORT',
          healthUrl: `${localBaseUrl(config, port)}/healthz`,
        };
      },
    };
  });
}

function testEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  // Twenty consecutive ports from a random base in 20000–32739 (the mesh's ten, then room for
  // replicas): below Linux's ephemeral range (32768+), where outgoing connections could take a port
  // between the pre-check and the bind. A port someone holds anyway is caught, and startTestMesh
  // then tries another range.
  const base = 20_000 + Math.floor(Math.random() * 637) * 20;
  const env: Record<string, string> = {};
  PORT_ENV.forEach((name, i) => {
    env[name] = String(base + i);
  });
  return {
    ...env,
    STOCKPULSE_HOST: '127.0.0.1',
    STOCKPULSE_DATA_DIR: dataDir,
    STOCKPULSE_SERVICE_SECRET: randomBytes(24).toString('base64url'),
    LOG_LEVEL: 'warn',
    // A closed market unless a test says otherwise, so prices are the last close whatever the hour.
    MARKET_TIME_START: TEST_MARKET_TIME.toISOString(),
    ...extra,
  };
}

/**
 * The market time test meshes run at by default: 17:00 New York after the last closed session, so
 * quotes are that session's close (what `expectedDemoValue()` computes) for the next 16 hours.
 */
export const TEST_MARKET_TIME = exchangeInstant(lastClosedTradingDay(new Date()), 17 * 60);
