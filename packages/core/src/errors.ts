/**
 * An error that crosses a protocol boundary: a stable machine `code`, a message a person can read,
 * and the HTTP status it maps to. MCP, A2A and AG-UI adapters translate it into their own error form.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unknown_symbol'
  | 'unavailable'
  | 'timeout'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  unknown_symbol: 404,
  unavailable: 503,
  timeout: 504,
  internal: 500,
};

export const ERROR_CODES = Object.keys(STATUS) as readonly ErrorCode[];

/** Whether a value (e.g. a `code` read back from another process) is one of our error codes. */
export function isErrorCode(v: unknown): v is ErrorCode {
  return typeof v === 'string' && Object.hasOwn(STATUS, v);
}

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }

  toJSON() {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Any thrown value as an AppError; unknown failures become `internal` without leaking a stack. */
export function toAppError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  return new AppError('internal', 'Internal error');
}
