/**
 * Why the broker refused something: a stable machine `code`, a message a person can read (with the
 * numbers when a rule refused it) and `details` for programs. `appCode` is the matching
 * `@stockpulse/core` ErrorCode, so a protocol adapter can rethrow it as an AppError unchanged.
 */
export type BrokerErrorCode =
  | 'invalid_order'
  | 'invalid_config'
  | 'illegal_transition'
  | 'duplicate_client_order_id'
  | 'risk_rejected'
  | 'confirmation_invalid'
  | 'confirmation_expired'
  | 'confirmation_mismatch'
  | 'not_found'
  | 'not_cancelable'
  | 'live_trading_disabled'
  | 'unauthenticated'
  | 'forbidden'
  | 'rate_limited'
  | 'broker_rejected'
  | 'unavailable';

export type AppErrorCode =
  | 'bad_request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export const BROKER_ERROR_APP_CODE: Record<BrokerErrorCode, AppErrorCode> = {
  invalid_order: 'bad_request',
  invalid_config: 'internal',
  illegal_transition: 'conflict',
  duplicate_client_order_id: 'conflict',
  risk_rejected: 'forbidden',
  confirmation_invalid: 'forbidden',
  confirmation_expired: 'forbidden',
  confirmation_mismatch: 'forbidden',
  not_found: 'not_found',
  not_cancelable: 'conflict',
  live_trading_disabled: 'forbidden',
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  rate_limited: 'rate_limited',
  broker_rejected: 'bad_request',
  unavailable: 'unavailable',
};

export class BrokerError extends Error {
  readonly appCode: AppErrorCode;
  constructor(
    readonly code: BrokerErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'BrokerError';
    this.appCode = BROKER_ERROR_APP_CODE[code];
  }
}

export function isBrokerError(e: unknown, code?: BrokerErrorCode): e is BrokerError {
  return e instanceof BrokerError && (code === undefined || e.code === code);
}
