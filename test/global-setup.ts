import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Build the web app once before any test file runs (browser tests and the e2e mesh serve
 * web/dist); test files run in parallel and must never race to rebuild it.
 */
export default function setup(): void {
  const web = path.resolve(import.meta.dirname, '..', 'web');
  const index = path.join(web, 'dist', 'index.html');
  let newest = 0;
  const walk = (p: string) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e));
    else newest = Math.max(newest, st.mtimeMs);
  };
  for (const s of ['src', 'public', 'index.html', 'vite.config.ts', 'package.json', 'tsconfig.json'])
    walk(path.join(web, s));
  if (existsSync(index) && statSync(index).mtimeMs >= newest) return;
  const r = spawnSync('npm', ['run', 'build', '-w', '@stockpulse/web'], {
    stdio: 'inherit',
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`web build failed (exit ${r.status})`);
}
