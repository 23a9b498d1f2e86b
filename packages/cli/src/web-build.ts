import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { repoRoot } from './paths.js';
import type { SupervisorLog } from './supervisor.js';

const webDir = path.join(repoRoot, 'web');
const builtIndex = path.join(webDir, 'dist', 'index.html');
/** Lines of build output shown when the build fails. */
const FAILURE_LINES = 60;
/** What a web build is made from; a newer file here means `web/dist` is stale. */
const SOURCES = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'];

/** Newest modification time under the web app's sources, or 0 if there are none. */
export function newestWebSourceMtime(dir = webDir): number {
  let newest = 0;
  const walk = (p: string) => {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'node_modules') walk(path.join(p, entry));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const source of SOURCES) walk(path.join(dir, source));
  return newest;
}

export function webBuildIsCurrent(): boolean {
  if (!existsSync(builtIndex)) return false;
  return statSync(builtIndex).mtimeMs >= newestWebSourceMtime();
}

/**
 * Build `web/dist` when it is missing or older than its sources (`npm run build -w @stockpulse/web`).
 * A failed rebuild with an older build present only warns; with no build at all it throws.
 */
export async function ensureWebBuilt(log: SupervisorLog): Promise<void> {
  if (!existsSync(path.join(webDir, 'package.json')) || webBuildIsCurrent()) return;
  const hadBuild = existsSync(builtIndex);
  log.event(
    'info',
    hadBuild ? 'web sources changed; rebuilding web/dist' : 'building the web app (first run)',
  );
  const t0 = performance.now();
  // Vite lists every chunk it writes; keep its output for a failure, not for the terminal.
  const output: { stream: 'stdout' | 'stderr'; line: string }[] = [];
  const code = await new Promise<number | null>((resolve) => {
    const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
    const proc = spawn(npm, ['run', 'build', '-w', '@stockpulse/web'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    });
    for (const [stream, source] of [
      ['stdout', proc.stdout],
      ['stderr', proc.stderr],
    ] as const) {
      readline.createInterface({ input: source }).on('line', (line) => {
        if (line.trim()) output.push({ stream, line });
        if (output.length > FAILURE_LINES) output.shift();
      });
    }
    proc.on('error', () => resolve(null));
    proc.on('close', (c) => resolve(c));
  });
  if (code === 0) {
    log.event('info', 'web app built', { ms: Math.round(performance.now() - t0) });
    return;
  }
  for (const { stream, line } of output) log.child('web', stream, line);
  if (hadBuild) {
    log.event('warn', 'web build failed; serving the previous build of web/dist');
    return;
  }
  throw new Error('Building the web app failed (npm run build -w @stockpulse/web); see the output above');
}
