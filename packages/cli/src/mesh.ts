import path from 'node:path';
import { loadConfig, type StockPulseConfig } from '@stockpulse/core';
import { bundleServices } from './bundle.js';
import type { LogFormat } from './log-format.js';
import { createOutput, type LogSink } from './output.js';
import { repoRoot } from './paths.js';
import { ensureServiceSecret, type ServiceSecret } from './secret.js';
import { meshServices, meshUrls, type ServiceSpec, selectServices } from './services.js';
import { type BackoffPolicy, type ServiceStatus, Supervisor } from './supervisor.js';
import { ensureWebBuilt } from './web-build.js';

export interface StartMeshOptions {
  /** Environment for the mesh, layered over `process.env` (`undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** Only these services (and what they depend on); default: all. */
  services?: string[];
  /** Print nothing; `logSink` still receives every line. */
  quiet?: boolean;
  logSink?: LogSink;
  /** `pretty` (default) or `json` (children's pino lines untouched, NDJSON throughout). */
  format?: LogFormat;
  color?: boolean;
  /** Build `web/dist` first if it is missing or stale (the `start` command does). */
  buildWeb?: boolean;
  /** Abort a start in progress: what was started is stopped and the promise rejects. */
  signal?: AbortSignal;
  /** Replace the StockPulse service manifest (tests). */
  manifest?: ServiceSpec[] | ((config: StockPulseConfig) => ServiceSpec[]);
  backoff?: Partial<BackoffPolicy>;
  stopTimeoutMs?: number;
  /** Run services from esbuild bundles (default) or straight from TypeScript through tsx (`false`). */
  bundle?: boolean;
}

export interface Mesh {
  config: StockPulseConfig;
  /** Base URL of every service, keyed by service name (from config, so `*_URL` overrides count). */
  urls: Record<string, string>;
  /** Services running, in start order; and ones skipped because their entry file is missing. */
  started: string[];
  skipped: string[];
  secret: ServiceSecret;
  /** Wall time from call to all healthy. */
  startMs: number;
  stop(): Promise<void>;
  restart(name: string): Promise<void>;
  kill(name: string, signal?: NodeJS.Signals): number;
  status(): ServiceStatus[];
  whenHealthy(name: string, timeoutMs?: number): Promise<ServiceStatus>;
}

/**
 * Start the StockPulse services (or a chosen subset) as supervised child processes and resolve once
 * every one answers its health check. Used by `stockpulse start`, `stockpulse seed` and the tests.
 */
export async function startMesh(options: StartMeshOptions = {}): Promise<Mesh> {
  const t0 = performance.now();
  const env = meshEnv(options.env);
  assertSafeHost(loadConfig(env));
  const secret = ensureServiceSecret(env.STOCKPULSE_DATA_DIR!, env.STOCKPULSE_SERVICE_SECRET);
  env.STOCKPULSE_SERVICE_SECRET = secret.secret;
  // One anchor for a shifted or accelerated market clock, so every process agrees on the time.
  if ((env.MARKET_TIME_START || (env.MARKET_SPEED && env.MARKET_SPEED !== '1')) && !env.MARKET_TIME_ANCHOR) {
    env.MARKET_TIME_ANCHOR = new Date().toISOString();
  }
  const config = loadConfig(env);

  const manifest =
    typeof options.manifest === 'function'
      ? options.manifest(config)
      : (options.manifest ?? meshServices(config));
  const selected = selectServices(manifest, options.services);
  const specs = options.bundle === false ? selected : await bundleServices(selected);
  const log = createOutput({
    format: options.format,
    color: options.color,
    quiet: options.quiet,
    sink: options.logSink,
    names: specs.map((s) => s.name),
  });
  if (secret.source === 'created') log.event('info', 'created a service secret', { file: secret.file });

  if (options.buildWeb && specs.some((s) => s.name === 'gateway')) await ensureWebBuilt(log);

  const supervisor = new Supervisor({
    specs,
    env,
    log,
    host: config.host,
    backoff: options.backoff,
    stopTimeoutMs: options.stopTimeoutMs,
  });
  const abort = () => void supervisor.stop();
  if (options.signal?.aborted) throw new Error('start aborted');
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await supervisor.start();
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }

  const status = supervisor.status();
  const urls: Record<string, string> = meshUrls(config);
  return {
    config,
    urls,
    started: status.filter((s) => s.state !== 'skipped').map((s) => s.name),
    skipped: status.filter((s) => s.state === 'skipped').map((s) => s.name),
    secret,
    startMs: Math.round(performance.now() - t0),
    stop: () => supervisor.stop(),
    restart: (name) => supervisor.restart(name),
    kill: (name, signal) => supervisor.kill(name, signal),
    status: () => supervisor.status(),
    whenHealthy: (name, timeoutMs) => supervisor.whenHealthy(name, timeoutMs),
  };
}

/**
 * `process.env` with the caller's overrides, and the data dir made absolute: unset means
 * `<repo>/.stockpulse` wherever the command was run from; a relative path is relative to the
 * caller's working directory (services run with the repo root as theirs).
 */
export function meshEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const dataDir = env.STOCKPULSE_DATA_DIR?.trim();
  env.STOCKPULSE_DATA_DIR = dataDir ? path.resolve(dataDir) : path.join(repoRoot, '.stockpulse');
  if (!env.STOCKPULSE_SERVICE_SECRET) delete env.STOCKPULSE_SERVICE_SECRET;
  return env;
}

/** The demo user's password is public, so a demo mesh listens on loopback only. */
export function assertSafeHost(config: StockPulseConfig): void {
  if (config.demo.enabled && !isLoopback(config.host)) {
    throw new Error(
      `Demo mode is on (its login and password are public), so StockPulse will not listen on ` +
        `${config.host}. Use STOCKPULSE_HOST=127.0.0.1, or set STOCKPULSE_DEMO=false and create ` +
        `real users to serve other machines.`,
    );
  }
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}
