import { existsSync } from 'node:fs';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { repoRoot } from './paths.js';
import type { ServiceSpec } from './services.js';

/** Where the bundled supervisor guard goes (children import it first). */
export const parentWatchBundle = path.join(repoRoot, 'packages', 'cli', 'dist', 'parent-watch.mjs');

/** npm packages stay external (resolved from node_modules at run time); our workspace TS is bundled. */
const externals: Plugin = {
  name: 'stockpulse-externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@stockpulse/') ? undefined : { path: args.path, external: true },
    );
  },
};

/** `<service>/src/main.ts` → `<service>/dist/main.mjs`; other entries (test fixtures) are left alone. */
function bundlePath(entry: string): string | undefined {
  const abs = path.resolve(repoRoot, entry);
  if (!existsSync(abs)) return undefined; // the supervisor reports (and skips) a missing entry
  if (!abs.startsWith(repoRoot + path.sep) || !abs.endsWith(`${path.sep}src${path.sep}main.ts`))
    return undefined;
  return path.join(path.dirname(path.dirname(abs)), 'dist', 'main.mjs');
}

/**
 * Compile each service to one ESM file with esbuild (~0.2 s for the whole mesh), so services run on
 * plain `node` instead of the tsx loader: ~40 MB less memory per process and a faster start.
 * Returns the specs with `bundled` set.
 */
export async function bundleServices(specs: ServiceSpec[]): Promise<ServiceSpec[]> {
  const entryPoints: Record<string, string> = {};
  const out = specs.map((spec) => {
    const target = bundlePath(spec.entry);
    if (!target) return spec;
    entryPoints[path.relative(repoRoot, target).replace(/\.mjs$/, '')] = path.resolve(repoRoot, spec.entry);
    return { ...spec, bundled: target };
  });
  if (Object.keys(entryPoints).length === 0) return specs;
  entryPoints[path.relative(repoRoot, parentWatchBundle).replace(/\.mjs$/, '')] = path.join(
    repoRoot,
    'packages',
    'cli',
    'src',
    'parent-watch.ts',
  );
  await build({
    entryPoints,
    outdir: repoRoot,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: [externals],
    logLevel: 'error',
    // Bundled CommonJS helpers may call require(); give ESM output one.
    banner: {
      js: "import { createRequire as __spCreateRequire } from 'node:module'; const require = __spCreateRequire(import.meta.url);",
    },
  });
  return out;
}
