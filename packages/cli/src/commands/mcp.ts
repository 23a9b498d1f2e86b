import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MCP_SERVER_NAMES, type McpServerName } from '@stockpulse/core';
import { bundleServices, parentWatchBundle } from '../bundle.js';
import { meshEnv } from '../mesh.js';
import { parentWatchUrl, repoRoot } from '../paths.js';
import { PGLITE_NODE_ARGS } from '../services.js';
import { HELP } from './help.js';

const isMcpServerName = (name: string | undefined): name is McpServerName =>
  (MCP_SERVER_NAMES as readonly string[]).includes(name ?? '');

/**
 * `stockpulse mcp <name> --stdio`: the server's own process with our stdin/stdout/stderr, so the
 * desktop client speaks MCP to it directly. Nothing of ours may be written to stdout.
 */
export async function mcpCommand(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (!isMcpServerName(name)) {
    process.stderr.write(
      `stockpulse mcp: ${name ? `unknown server "${name}"` : 'which server?'}\n\n${HELP.mcp}`,
    );
    return 2;
  }
  const extra = rest.filter((a) => a !== '--stdio');
  const entry = path.join(repoRoot, 'mcp-servers', name, 'src', 'main.ts');
  if (!existsSync(entry)) {
    process.stderr.write(
      `stockpulse mcp: the ${name} server is not in this checkout (${entry} is missing)\n`,
    );
    return 1;
  }
  // Bundled like `start` does (plain node, no tsx loader); esbuild writes only to stderr on errors.
  const [spec] = await bundleServices([{ name, entry, healthUrl: '', dependsOn: [], startTimeoutMs: 0 }]);
  const nodeArgs = name === 'redis' ? [] : PGLITE_NODE_ARGS;
  const child = spawn(
    process.execPath,
    spec?.bundled
      ? [...nodeArgs, '--import', pathToFileURL(parentWatchBundle).href, spec.bundled, '--stdio', ...extra]
      : [...nodeArgs, '--import', 'tsx', '--import', parentWatchUrl, entry, '--stdio', ...extra],
    // The IPC channel (fd 3) only lets the server notice if we die; stdio is the client's.
    { cwd: repoRoot, env: meshEnv(), stdio: ['inherit', 'inherit', 'inherit', 'ipc'] },
  );

  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, forward);
  return new Promise<number>((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`stockpulse mcp: could not start ${name}: ${err.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) =>
      resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)),
    );
  });
}
