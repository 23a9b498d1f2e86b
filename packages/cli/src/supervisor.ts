import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parentWatchBundle } from './bundle.js';
import type { LogStream } from './log-format.js';
import { parentWatchUrl, repoRoot } from './paths.js';
import type { ServiceSpec } from './services.js';

export type ServiceState =
  | 'waiting'
  | 'skipped'
  | 'starting'
  | 'healthy'
  | 'backoff'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  pid?: number;
  restarts: number;
}

export type EventLevel = 'info' | 'warn' | 'error';

/** Where the supervisor's output goes: its children's lines, and its own events. */
export interface SupervisorLog {
  child(service: string, stream: LogStream, line: string): void;
  event(level: EventLevel, msg: string, fields?: Record<string, unknown>): void;
}

export interface BackoffPolicy {
  /** First restart delay; doubles on each crash. */
  initialMs: number;
  maxMs: number;
  /** A service that ran healthy this long starts again from `initialMs`. */
  resetAfterMs: number;
}

export interface SupervisorOptions {
  specs: ServiceSpec[];
  env: NodeJS.ProcessEnv;
  log: SupervisorLog;
  /** Address the services bind, for the port pre-check. */
  host?: string;
  backoff?: Partial<BackoffPolicy>;
  /** How long a service has to exit after SIGTERM before it is SIGKILLed. */
  stopTimeoutMs?: number;
  healthIntervalMs?: number;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One spawned process of a service (a service has several over its life when it crashes). */
interface Run {
  proc: ChildProcess;
  pid: number;
  startedAt: number;
  exited?: ExitInfo;
  exit: Promise<ExitInfo>;
}

interface Managed {
  spec: ServiceSpec;
  state: ServiceState;
  run?: Run;
  restarts: number;
  backoffMs: number;
  healthySince?: number;
  /** False until the first health check passes: a crash before that fails the start instead. */
  supervised: boolean;
  /** The supervisor asked this run to exit, so its exit is not a crash. */
  expectingExit: boolean;
  restartTimer?: NodeJS.Timeout;
}

export class StopRequested extends Error {
  constructor() {
    super('The supervisor is stopping');
    this.name = 'StopRequested';
  }
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

/**
 * Runs a set of services as child processes: starts each once its dependencies answer their health
 * check, restarts crashed ones with exponential backoff, and stops them in reverse dependency order
 * (SIGTERM, then SIGKILL after a grace period). Children get an IPC channel and `parent-watch.ts`,
 * so they shut down by themselves if the supervisor dies, even by SIGKILL.
 */
export class Supervisor {
  private readonly services = new Map<string, Managed>();
  private readonly backoff: BackoffPolicy;
  private readonly stopTimeoutMs: number;
  private readonly healthIntervalMs: number;
  private stopRequested = false;
  private stopping?: Promise<void>;
  /** Last resort if this process exits without `stop()`: tell every child to go (sync only). */
  private readonly exitHook = () => {
    for (const svc of this.services.values()) {
      if (svc.run && !svc.run.exited) signalProcess(svc.run.pid, 'SIGTERM');
    }
  };

  constructor(private readonly opts: SupervisorOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
    this.healthIntervalMs = opts.healthIntervalMs ?? 150;
    for (const spec of opts.specs) {
      if (this.services.has(spec.name)) throw new Error(`Service "${spec.name}" is listed twice`);
      this.services.set(spec.name, {
        spec,
        state: 'waiting',
        restarts: 0,
        backoffMs: this.backoff.initialMs,
        supervised: false,
        expectingExit: false,
      });
    }
    assertAcyclic(opts.specs);
  }

  /**
   * Start every service, each as soon as its dependencies are healthy. Resolves when all are
   * healthy; on any failure stops what was started and rejects with the reason.
   */
  async start(): Promise<void> {
    const t0 = performance.now();
    for (const svc of this.services.values()) {
      if (!existsSync(entryPath(svc.spec))) {
        svc.state = 'skipped';
        this.opts.log.event('warn', `${svc.spec.name} skipped: ${svc.spec.entry} does not exist yet`);
      }
    }
    const active = [...this.services.values()].filter((s) => s.state !== 'skipped');
    await this.checkPortsFree(active);
    process.on('exit', this.exitHook);

    const launches = new Map<string, Promise<void>>();
    const launch = (svc: Managed): Promise<void> => {
      let started = launches.get(svc.spec.name);
      if (!started) {
        started = (async () => {
          await Promise.all(this.dependenciesOf(svc).map(launch));
          if (this.stopRequested) throw new StopRequested();
          await this.spawnUntilHealthy(svc);
          svc.supervised = true;
        })();
        launches.set(svc.spec.name, started);
      }
      return started;
    };

    try {
      await Promise.all(active.map(launch));
    } catch (err) {
      const stopped = this.stop();
      await Promise.allSettled(launches.values());
      await stopped;
      throw err;
    }
    this.opts.log.event('info', `${active.length} service(s) up`, { ms: Math.round(performance.now() - t0) });
  }

  /** Stop everything in reverse dependency order. Safe to call at any time, and more than once. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopRequested = true;
    this.stopping = (async () => {
      const t0 = performance.now();
      for (const svc of this.services.values()) clearTimeout(svc.restartTimer);
      const stops = new Map<string, Promise<void>>();
      const stopOne = (svc: Managed): Promise<void> => {
        let stopped = stops.get(svc.spec.name);
        if (!stopped) {
          stopped = (async () => {
            await Promise.all(this.dependentsOf(svc).map(stopOne));
            await this.stopRun(svc);
          })();
          stops.set(svc.spec.name, stopped);
        }
        return stopped;
      };
      const running = [...this.services.values()].filter((s) => s.run && !s.run.exited);
      await Promise.all([...this.services.values()].map(stopOne));
      process.off('exit', this.exitHook);
      if (running.length) {
        this.opts.log.event('info', `stopped ${running.length} service(s)`, {
          ms: Math.round(performance.now() - t0),
        });
      }
    })();
    return this.stopping;
  }

  /** Gracefully stop one service and start it again; resolves once it is healthy. */
  async restart(name: string): Promise<void> {
    const svc = this.get(name);
    if (this.stopRequested) throw new StopRequested();
    if (svc.state === 'skipped') throw new Error(`${name} is not running (skipped)`);
    clearTimeout(svc.restartTimer);
    this.opts.log.event('info', `restarting ${name}`);
    await this.stopRun(svc);
    svc.backoffMs = this.backoff.initialMs;
    await this.spawnUntilHealthy(svc);
    svc.supervised = true;
  }

  /** Send a signal to a service's process as if from outside: an exit it causes counts as a crash. */
  kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): number {
    const run = this.get(name).run;
    if (!run || run.exited) throw new Error(`${name} has no running process`);
    process.kill(run.pid, signal);
    return run.pid;
  }

  status(): ServiceStatus[] {
    return [...this.services.values()].map((s) => ({
      name: s.spec.name,
      state: s.state,
      pid: s.run && !s.run.exited ? s.run.pid : undefined,
      restarts: s.restarts,
    }));
  }

  /** Resolve when the service is (again) healthy, e.g. after a crash restart. */
  async whenHealthy(name: string, timeoutMs = 30_000): Promise<ServiceStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = this.status().find((s) => s.name === name);
      if (status?.state === 'healthy') return status;
      if (Date.now() > deadline) throw new Error(`${name} not healthy within ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  private get(name: string): Managed {
    const svc = this.services.get(name);
    if (!svc) throw new Error(`Unknown service "${name}"`);
    return svc;
  }

  private dependenciesOf(svc: Managed): Managed[] {
    return svc.spec.dependsOn
      .map((d) => this.services.get(d))
      .filter((d): d is Managed => d !== undefined && d.state !== 'skipped');
  }

  private dependentsOf(svc: Managed): Managed[] {
    return [...this.services.values()].filter((s) => s.spec.dependsOn.includes(svc.spec.name));
  }

  private async checkPortsFree(active: Managed[]): Promise<void> {
    const host = this.opts.host ?? '127.0.0.1';
    const problems: string[] = [];
    await Promise.all(
      active.map(async ({ spec }) => {
        if (!spec.port) return;
        const error = await bindError(spec.port, host);
        if (!error) return;
        const how = spec.portEnv ? ` (set ${spec.portEnv} to use another port)` : '';
        problems.push(
          error === 'EADDRINUSE'
            ? `port ${spec.port} for ${spec.name} is already in use${how}`
            : `cannot bind ${host}:${spec.port} for ${spec.name}: ${error}`,
        );
      }),
    );
    if (problems.length) {
      throw new Error(
        `Cannot start: ${problems.join('; ')}. Is StockPulse (or another program) already running?`,
      );
    }
  }

  private async spawnUntilHealthy(svc: Managed): Promise<void> {
    const t0 = performance.now();
    const run = this.spawn(svc);
    await this.waitHealthy(svc, run, svc.spec.startTimeoutMs);
    svc.state = 'healthy';
    svc.healthySince = Date.now();
    this.opts.log.event('info', `${svc.spec.name} is healthy`, {
      pid: run.pid,
      ms: Math.round(performance.now() - t0),
    });
  }

  private spawn(svc: Managed): Run {
    const { spec } = svc;
    const proc = spawn(
      process.execPath,
      spec.bundled
        ? [
            ...(spec.nodeArgs ?? []),
            '--import',
            pathToFileURL(parentWatchBundle).href,
            spec.bundled,
            ...(spec.args ?? []),
          ]
        : [
            ...(spec.nodeArgs ?? []),
            '--import',
            'tsx',
            '--import',
            parentWatchUrl,
            entryPath(spec),
            ...(spec.args ?? []),
          ],
      {
        cwd: repoRoot,
        env: this.opts.env,
        // The IPC channel is how a child notices its supervisor died (see parent-watch.ts).
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
        // the services in order; SIGKILL escalation takes the whole group.
        detached: process.platform !== 'win32',
      },
    );
    let resolveExit!: (e: ExitInfo) => void;
    const run: Run = {
      proc,
      pid: proc.pid ?? -1,
      startedAt: Date.now(),
      exit: new Promise((r) => {
        resolveExit = r;
      }),
    };
    svc.run = run;
    svc.state = 'starting';
    svc.healthySince = undefined;
    svc.expectingExit = false;

    for (const [stream, source] of [
      ['stdout', proc.stdout],
      ['stderr', proc.stderr],
    ] as const) {
      if (!source) continue;
      readline
        .createInterface({ input: source, crlfDelay: Number.POSITIVE_INFINITY })
        .on('line', (line) => this.opts.log.child(spec.name, stream, line));
    }
    // Nothing is sent over IPC; an error on it (EPIPE at exit) must not crash the supervisor.
    proc.on('error', (err) => {
      if (run.exited) return;
      if (run.pid === -1) this.onExit(svc, run, { code: null, signal: null }, resolveExit, err);
    });
    proc.on('exit', (code, signal) => this.onExit(svc, run, { code, signal }, resolveExit));
    return run;
  }

  private onExit(
    svc: Managed,
    run: Run,
    info: ExitInfo,
    resolveExit: (e: ExitInfo) => void,
    spawnError?: Error,
  ): void {
    if (run.exited) return;
    run.exited = info;
    resolveExit(info);
    if (svc.run !== run) return;
    const name = svc.spec.name;
    if (this.stopRequested || svc.expectingExit) {
      svc.state = 'stopped';
      return;
    }
    if (!svc.supervised) {
      // Still in its first start: waitHealthy() turns this into the start error.
      svc.state = 'failed';
      if (spawnError)
        this.opts.log.event('error', `${name} could not be started`, { err: spawnError.message });
      return;
    }
    if (svc.healthySince && Date.now() - svc.healthySince >= this.backoff.resetAfterMs) {
      svc.backoffMs = this.backoff.initialMs;
    }
    const delay = svc.backoffMs;
    svc.backoffMs = Math.min(delay * 2, this.backoff.maxMs);
    svc.restarts += 1;
    svc.state = 'backoff';
    this.opts.log.event('warn', `${name} exited unexpectedly (${describeExit(info)}); restarting`, {
      inMs: delay,
      restarts: svc.restarts,
    });
    svc.restartTimer = setTimeout(() => {
      svc.restartTimer = undefined;
      void this.respawn(svc);
    }, delay);
  }

  private async respawn(svc: Managed): Promise<void> {
    if (this.stopRequested) return;
    try {
      await this.spawnUntilHealthy(svc);
    } catch (err) {
      if (err instanceof StopRequested || this.stopRequested) return;
      const run = svc.run;
      if (run && !run.exited) {
        // Alive but not answering: kill it, and the exit schedules the next attempt.
        this.opts.log.event('warn', `${svc.spec.name} did not become healthy; killing it`, {
          err: (err as Error).message,
        });
        signalProcess(-run.pid, 'SIGKILL') || signalProcess(run.pid, 'SIGKILL');
      }
      // Otherwise it exited, and onExit has already scheduled the next attempt.
    }
  }

  private async waitHealthy(svc: Managed, run: Run, timeoutMs: number): Promise<void> {
    const { name, healthUrl } = svc.spec;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.stopRequested) throw new StopRequested();
      if (run.exited) {
        throw new Error(`${name} exited (${describeExit(run.exited)}) before it became healthy`);
      }
      if (await answers200(healthUrl, Math.min(2000, Math.max(100, deadline - Date.now())))) {
        if (!run.exited) return;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${name} did not answer ${healthUrl} with 200 within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      await Promise.race([sleep(this.healthIntervalMs), run.exit]);
    }
  }

  /** SIGTERM, wait, SIGKILL the process group. Resolves once the process has exited. */
  private async stopRun(svc: Managed): Promise<void> {
    const run = svc.run;
    if (!run || run.exited) {
      if (svc.state !== 'skipped') svc.state = 'stopped';
      return;
    }
    const name = svc.spec.name;
    svc.expectingExit = true;
    svc.state = 'stopping';
    signalProcess(run.pid, 'SIGTERM');
    const graceful = await Promise.race([
      run.exit.then(() => true),
      sleep(this.stopTimeoutMs).then(() => false),
    ]);
    if (!graceful) {
      this.opts.log.event('warn', `${name} did not stop within ${this.stopTimeoutMs} ms; killing it`);
      signalProcess(-run.pid, 'SIGKILL') || signalProcess(run.pid, 'SIGKILL');
      await Promise.race([run.exit, sleep(5000)]);
    }
    svc.state = 'stopped';
  }
}

function entryPath(spec: ServiceSpec): string {
  return path.resolve(repoRoot, spec.entry);
}

/** Send a signal; false if there is no such process (any more). */
function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

function describeExit({ code, signal }: ExitInfo): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

async function answers200(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** The error code binding host:port would fail with, or undefined if it is free. */
function bindError(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

function assertAcyclic(specs: ServiceSpec[]): void {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, trail: string[]) => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`Dependency cycle: ${[...trail, name].join(' -> ')}`);
    state.set(name, 'visiting');
    for (const dep of byName.get(name)?.dependsOn ?? []) visit(dep, [...trail, name]);
    state.set(name, 'done');
  };
  for (const s of specs) visit(s.name, []);
}
