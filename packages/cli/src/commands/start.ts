import { MCP_SERVER_NAMES } from '@stockpulse/core';
import { type Mesh, startMesh } from '../mesh.js';
import { printBlock, SUPERVISOR_NAME } from '../output.js';
import { HELP } from './help.js';

interface StartArgs {
  json: boolean;
  color?: boolean;
  only?: string[];
}

function parseStartArgs(args: string[]): StartArgs | string {
  const parsed: StartArgs = { json: process.env.LOG_FORMAT === 'json' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') parsed.json = true;
    else if (arg === '--no-color') parsed.color = false;
    else if (arg === '--color') parsed.color = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? args[++i] : arg.slice('--only='.length);
      if (!value) return '--only needs a comma-separated list of services';
      parsed.only = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else return `unknown option "${arg}"`;
  }
  return parsed;
}

/** `stockpulse start`: the supervisor in the foreground until Ctrl-C / SIGTERM / SIGHUP. */
export async function startCommand(args: string[]): Promise<number> {
  const opts = parseStartArgs(args);
  if (typeof opts === 'string') {
    process.stderr.write(`stockpulse start: ${opts}\n\n${HELP.start}`);
    return 2;
  }
  const color = opts.json ? false : (opts.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR));

  const aborter = new AbortController();
  let mesh: Mesh | undefined;
  let signalled: NodeJS.Signals | undefined;
  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => {
    resolveStopped = r;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      // Second signal: leave now. The children see their IPC channel close and stop themselves.
      process.stderr.write(`\n${SUPERVISOR_NAME}: ${signal} again, exiting without waiting\n`);
      process.exit(130);
    }
    signalled = signal;
    process.stderr.write(`\n${SUPERVISOR_NAME}: ${signal} received, stopping (again to force)\n`);
    if (mesh) void mesh.stop().then(() => resolveStopped(0));
    else aborter.abort();
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  try {
    mesh = await startMesh({
      buildWeb: true,
      format: opts.json ? 'json' : 'pretty',
      color,
      services: opts.only,
      signal: aborter.signal,
    });
  } catch (err) {
    if (signalled) return 0;
    process.stderr.write(`\n${SUPERVISOR_NAME}: could not start: ${(err as Error).message}\n`);
    return 1;
  }
  if (signalled) {
    // The signal arrived in the last moments of the start.
    await mesh.stop();
    return 0;
  }

  printReady(mesh, opts.json, color);
  return stopped;
}

function printReady(mesh: Mesh, json: boolean, color: boolean): void {
  const { config } = mesh;
  const web = mesh.started.includes('gateway') ? config.services.gateway.url : undefined;
  const login = config.demo.enabled ? `  (demo login ${config.demo.email} / ${config.demo.password})` : '';
  const seconds = (mesh.startMs / 1000).toFixed(1);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        level: 30,
        time: new Date().toISOString(),
        service: SUPERVISOR_NAME,
        msg: 'ready',
        url: web,
        demoLogin: config.demo.enabled
          ? { email: config.demo.email, password: config.demo.password }
          : undefined,
        services: mesh.started,
        skipped: mesh.skipped,
        startMs: mesh.startMs,
      })}\n`,
    );
    return;
  }
  const lines = web
    ? [`StockPulse is ready at ${web}${login}`]
    : [`StockPulse services are up, but the gateway is not available yet, so there is no web app${login}`];
  lines.push(`${mesh.started.length} services started in ${seconds} s`);
  const mcp = MCP_SERVER_NAMES.filter((n) => mesh.started.includes(n));
  if (mcp.length) {
    lines.push(`MCP (Streamable HTTP at /mcp): ${mcp.map((n) => `${n} :${config.mcp[n].port}`).join(', ')}`);
  }
  if (mesh.skipped.length) lines.push(`not started (entry file missing): ${mesh.skipped.join(', ')}`);
  lines.push(`data in ${config.dataDir} · Ctrl-C to stop`);
  printBlock(lines, { color });
}
