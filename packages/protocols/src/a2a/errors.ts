import { type A2AError, isJsonRpcError, type JsonRpcA2AError } from '@a2a-js/sdk/errors';
import { AppError, type ErrorCode } from '@stockpulse/core';

/**
 * JSON-RPC error codes on the A2A endpoint. -32700…-32603 are JSON-RPC 2.0; -32001…-32009 are the
 * A2A v1.0 codes the SDK emits. A2A leaves authentication errors to the binding ("HTTP 401 …, JSON-RPC
 * custom error"), and -32001 already means TaskNotFound, so an unauthenticated or forbidden call is
 * answered with HTTP 401/403 and -32000, its `data[0].reason` saying which.
 */
export const A2A_ERROR = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  UNAUTHENTICATED: -32000,
  TASK_NOT_FOUND: -32001,
  TASK_NOT_CANCELABLE: -32002,
  PUSH_NOTIFICATION_NOT_SUPPORTED: -32003,
  UNSUPPORTED_OPERATION: -32004,
  CONTENT_TYPE_NOT_SUPPORTED: -32005,
  INVALID_AGENT_RESPONSE: -32006,
  EXTENDED_CARD_NOT_CONFIGURED: -32007,
  EXTENSION_SUPPORT_REQUIRED: -32008,
  VERSION_NOT_SUPPORTED: -32009,
} as const;

export const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
export const ERROR_DOMAIN = 'stockpulse';

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string; data?: unknown };
}

export function jsonRpcError(
  id: string | number | null,
  code: number,
  message: string,
  reason?: string,
): JsonRpcErrorBody {
  const data = reason ? [{ '@type': ERROR_INFO_TYPE, reason, domain: ERROR_DOMAIN }] : undefined;
  return { jsonrpc: '2.0', id, error: { code, message, ...(data ? { data } : {}) } };
}

const BY_A2A_CODE: Record<number, ErrorCode> = {
  [A2A_ERROR.PARSE_ERROR]: 'bad_request',
  [A2A_ERROR.INVALID_REQUEST]: 'bad_request',
  [A2A_ERROR.METHOD_NOT_FOUND]: 'bad_request',
  [A2A_ERROR.INVALID_PARAMS]: 'bad_request',
  [A2A_ERROR.INTERNAL_ERROR]: 'unavailable',
  [A2A_ERROR.UNAUTHENTICATED]: 'unauthenticated',
  [A2A_ERROR.TASK_NOT_FOUND]: 'not_found',
  [A2A_ERROR.TASK_NOT_CANCELABLE]: 'conflict',
  [A2A_ERROR.PUSH_NOTIFICATION_NOT_SUPPORTED]: 'bad_request',
  [A2A_ERROR.UNSUPPORTED_OPERATION]: 'bad_request',
  [A2A_ERROR.CONTENT_TYPE_NOT_SUPPORTED]: 'bad_request',
  [A2A_ERROR.INVALID_AGENT_RESPONSE]: 'unavailable',
  [A2A_ERROR.EXTENDED_CARD_NOT_CONFIGURED]: 'bad_request',
  [A2A_ERROR.EXTENSION_SUPPORT_REQUIRED]: 'bad_request',
  [A2A_ERROR.VERSION_NOT_SUPPORTED]: 'bad_request',
};

/**
 * Any failure of an A2A client call as an AppError: a JSON-RPC error by its code (the remote side's
 * internal error is our `unavailable`), an abort as `timeout`, anything else (network, HTTP, malformed
 * answer) as `unavailable`. `details.a2aCode` keeps the wire code.
 */
export function a2aErrorToAppError(e: unknown, agent?: string): AppError {
  if (e instanceof AppError) return e;
  const rpc = jsonRpcCause(e);
  const where = agent ? { agent } : {};
  if (rpc) {
    let code = BY_A2A_CODE[rpc.envelopeCode] ?? 'unavailable';
    if (rpc.envelopeCode === A2A_ERROR.UNAUTHENTICATED && reasonOf(rpc) === 'PERMISSION_DENIED')
      code = 'forbidden';
    return new AppError(code, rpc.message, { ...where, a2aCode: rpc.envelopeCode });
  }
  const err = e as Error | undefined;
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError') {
    return new AppError('timeout', 'Agent call timed out or was aborted', where);
  }
  if (err instanceof TypeError) return new AppError('unavailable', 'Agent unreachable', where);
  return new AppError('unavailable', `Agent call failed: ${err?.message ?? String(e)}`, where);
}

function jsonRpcCause(e: unknown): JsonRpcA2AError | undefined {
  // Errors inside an SSE stream arrive as a plain Error whose `cause` is the JSON-RPC error.
  for (let cur: unknown = e, depth = 0; cur && depth < 3; cur = (cur as Error).cause, depth++) {
    if (isJsonRpcError(cur)) return cur;
  }
  return undefined;
}

function reasonOf(e: A2AError & { data?: unknown }): string | undefined {
  const first = Array.isArray(e.data) ? (e.data[0] as { reason?: unknown } | undefined) : undefined;
  return typeof first?.reason === 'string' ? first.reason : undefined;
}
