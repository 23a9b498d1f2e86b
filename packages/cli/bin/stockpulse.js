#!/usr/bin/env node
// Plain JS on purpose: this file must run on a fresh clone, before `npm install` has put tsx in place.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIN_NODE = [20, 19];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  console.error(`stockpulse needs Node ${MIN_NODE.join('.')} or newer (this is ${process.version}).`);
  process.exit(1);
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

if (!existsSync(path.join(repoRoot, 'node_modules', 'tsx', 'package.json'))) {
  // npm's progress goes to stderr: stdout may be an MCP stdio channel (`stockpulse mcp … --stdio`).
  console.error('stockpulse: dependencies are not installed yet; running `npm install` (first run only)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['install', '--no-audit', '--no-fund'], {
    cwd: repoRoot,
    stdio: ['ignore', 2, 2],
    shell: process.platform === 'win32',
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit code ${result.status}`;
    console.error(
      `stockpulse: \`npm install\` failed (${why}).\n` +
        `Run \`npm install\` in ${repoRoot} yourself, fix what it reports, then try again.`,
    );
    process.exit(1);
  }
  if (!existsSync(path.join(repoRoot, 'node_modules', 'tsx', 'package.json'))) {
    console.error(
      'stockpulse: `npm install` finished but tsx is still missing; check the root package.json.',
    );
    process.exit(1);
  }
}

const { register } = await import('tsx/esm/api');
register();
await import('../src/main.ts');
