import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SECRET_FILE = 'service-secret';
const MIN_LENGTH = 16;

export interface ServiceSecret {
  secret: string;
  source: 'env' | 'file' | 'created';
  /** The file it was read from or written to (not for `env`). */
  file?: string;
}

/**
 * The shared secret services present to the auth server. `STOCKPULSE_SERVICE_SECRET` wins;
 * otherwise it lives in `<dataDir>/service-secret` (32 random bytes, base64url, mode 0600),
 * created on first start so the same secret survives restarts.
 */
export function ensureServiceSecret(dataDir: string, fromEnv?: string): ServiceSecret {
  if (fromEnv) {
    if (fromEnv.length < MIN_LENGTH)
      throw new Error(`STOCKPULSE_SERVICE_SECRET must be at least ${MIN_LENGTH} characters`);
    return { secret: fromEnv, source: 'env' };
  }
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SECRET_FILE);
  const existing = readSecret(file);
  if (existing) return { secret: existing, source: 'file', file };

  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, source: 'created', file };
  } catch (err) {
    // Another `stockpulse` created it between our read and write: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const theirs = readSecret(file);
    if (!theirs) throw new Error(`${file} exists but holds no usable secret`);
    return { secret: theirs, source: 'file', file };
  }
}

function readSecret(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.length < MIN_LENGTH) {
    throw new Error(
      `${file} holds a secret shorter than ${MIN_LENGTH} characters; delete the file to generate a new one`,
    );
  }
  // Only the owner may read it, even if it was copied in with looser permissions.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return text;
}
