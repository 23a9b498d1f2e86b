/**
 * Run a service entry with environment overrides, for a second replica of a service under the test
 * mesh (the supervisor gives every service the same environment):
 *
 *   replica.ts agents/portfolio-manager/src/main.ts PORTFOLIO_MANAGER_PORT=20010 PORTFOLIO_MANAGER_URL=…
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [entry, ...overrides] = process.argv.slice(2);
if (!entry) throw new Error('usage: replica.ts <entry> [NAME=value...]');
for (const kv of overrides) {
  const eq = kv.indexOf('=');
  if (eq <= 0) throw new Error(`not NAME=value: ${kv}`);
  process.env[kv.slice(0, eq)] = kv.slice(eq + 1);
}
await import(pathToFileURL(path.resolve(entry)).href);
