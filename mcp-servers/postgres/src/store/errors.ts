import { AppError, type ErrorCode } from '@stockpulse/core';

/** What `pg` and PGlite both put on a server error: the SQLSTATE and Postgres' own message. */
interface PostgresError {
  code: string;
  message: string;
  position?: string;
}

function isPostgresError(e: unknown): e is PostgresError {
  const code: unknown = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
]);

/** A database failure outside the statement's control (server down, connection lost), or undefined. */
export function backendError(e: unknown): AppError | undefined {
  if (e instanceof AppError) return undefined;
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && UNREACHABLE.has(code))
    return new AppError('unavailable', 'The ledger database is unavailable');
  if (e instanceof Error && /Connection terminated|connection .*closed|PGlite is closed/i.test(e.message))
    return new AppError('unavailable', 'The ledger database is unavailable');
  if (isPostgresError(e)) {
    const cls = e.code.slice(0, 2);
    if (cls === '08' || cls === '53' || (cls === '57' && e.code !== '57014'))
      return new AppError('unavailable', 'The ledger database is unavailable');
    if (e.code === '57014') return new AppError('timeout', 'The database statement took too long');
  }
  return undefined;
}

/** The AppError for a failed domain write or read; unknown failures stay as they are (→ internal). */
export function storeError(e: unknown): unknown {
  const backend = backendError(e);
  if (backend) return backend;
  if (isPostgresError(e)) {
    if (e.code === '23505') return new AppError('conflict', 'That already exists');
    if (e.code === '23503') return new AppError('not_found', 'A referenced row does not exist');
    if (e.code === '23514' || e.code.startsWith('22'))
      return new AppError('bad_request', 'A value is out of range or malformed');
  }
  return e;
}

/**
 * How a caller's SQL failed, in words the caller can act on. Postgres' message names the problem
 * (syntax, unknown column, permission) and never carries data of another user or a stack.
 */
export function statementError(e: unknown, timeoutMs: number): unknown {
  if (!isPostgresError(e)) return backendError(e) ?? e;
  const details = { sqlstate: e.code, ...(e.position ? { position: Number(e.position) } : {}) };
  if (e.code === '57014')
    return new AppError(
      'timeout',
      `The statement ran longer than ${timeoutMs} ms and was cancelled`,
      details,
    );
  const backend = backendError(e);
  if (backend) return backend;
  let code: ErrorCode = 'bad_request';
  // 42501 insufficient privilege, 25xxx read-only transaction / transaction state.
  if (e.code === '42501' || e.code.startsWith('25')) code = 'forbidden';
  else if (e.code.startsWith('XX')) code = 'internal';
  return new AppError(code, `Postgres refused the statement: ${e.message}`, details);
}
