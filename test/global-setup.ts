import { spawnSync } from 'node:child_process';
import { webBuildIsCurrent } from '@stockpulse/cli';

/**
 * Build the web app once before any test file runs (browser tests and the e2e mesh serve
 * web/dist); test files run in parallel and must never race to rebuild it.
 */
export default function setup(): void {
  if (webBuildIsCurrent()) return;
  const r = spawnSync('npm', ['run', 'build', '-w', '@stockpulse/web'], {
    stdio: 'inherit',
    timeout: 300_000,
  });
  if (r.status !== 0) throw new Error(`web build failed (exit ${r.status})`);
}
