import { fileURLToPath } from 'node:url';

/** The monorepo root: every service runs with it as its working directory. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url)).replace(/[\\/]$/, '');

/** The module each supervised child imports first so it dies with its supervisor. */
export const parentWatchUrl = new URL('./parent-watch.ts', import.meta.url).href;
