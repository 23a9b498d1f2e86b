import { startMesh } from '../mesh.js';
import { SUPERVISOR_NAME } from '../output.js';

/** The servers whose first start migrates and seeds a store. */
export const SEEDED_SERVICES = ['auth', 'postgres', 'timescale', 'qdrant', 'graphiti'];
const SEED_MESSAGE = /seed|migrat|import|demo|created|user/i;

/**
 * `stockpulse seed`: start the data servers (their start migrates and seeds, idempotently), report
 * what each did and holds, and stop them.
 */
export async function seedCommand(args: string[]): Promise<number> {
  if (args.length) {
    process.stderr.write(`stockpulse seed: unexpected argument "${args[0]}"\n`);
    return 2;
  }
  const t0 = performance.now();
  const mesh = await startMesh({
    services: SEEDED_SERVICES,
    quiet: true,
    // Only what says what was seeded, and the supervisor's own progress and problems.
    logSink: (line, meta) => {
      if (meta.service === SUPERVISOR_NAME || meta.level >= 40 || SEED_MESSAGE.test(line)) {
        (meta.level >= 40 ? process.stderr : process.stdout).write(`${line}\n`);
      }
    },
  });
  try {
    process.stdout.write('\nWhat each store reports:\n');
    for (const name of mesh.started) {
      const facts = await healthFacts(`${mesh.urls[name]}/healthz`);
      process.stdout.write(`  ${name.padEnd(10)} ${facts}\n`);
    }
    if (mesh.skipped.length) process.stdout.write(`  not in this checkout yet: ${mesh.skipped.join(', ')}\n`);
  } finally {
    await mesh.stop();
  }
  const demo = mesh.config.demo;
  process.stdout.write(
    `\nSeeded ${mesh.config.dataDir} in ${((performance.now() - t0) / 1000).toFixed(1)} s.` +
      (demo.enabled
        ? ` Demo login: ${demo.email} / ${demo.password}.`
        : ' Demo data is off (STOCKPULSE_DEMO=false): schemas and market history only.') +
      '\nSeeding is idempotent: running it again keeps existing data and only adds what is missing.\n',
  );
  return 0;
}

async function healthFacts(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as Record<string, unknown>;
    const { status, service: _service, uptimeSeconds: _uptime, ...facts } = body;
    const shown = Object.entries(facts).map(
      ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
    );
    return [String(status), ...shown].join('  ');
  } catch (err) {
    return `(no health report: ${(err as Error).message})`;
  }
}
