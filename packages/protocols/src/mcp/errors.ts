import { type CallToolResult, ErrorCode as JsonRpcCode } from '@modelcontextprotocol/sdk/types.js';
import { AppError, type ErrorCode, isErrorCode } from '@stockpulse/core';

/**
 * How an AppError crosses MCP, in one place for both ends.
 *
 * - A tool failure is a tool result (`isError: true`) whose only text block is `{"error":{"code","message"}}`,
 *   so an LLM can read it and a program can switch on `code`.
 * - A resource or prompt failure is a JSON-RPC error whose `data` carries the same `{ code }`.
 */
export function toolErrorResult(err: AppError): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(err.toJSON()) }] };
}

/**
 * The AppError an `isError` tool result stands for. Results that are not in our wire form (another
 * vendor's server, or the SDK's own rejection of invalid arguments, which is plain text such as
 * `MCP error -32602: Input validation error: ... at field`) are classified from their text.
 */
export function appErrorFromToolResult(result: CallToolResult): AppError {
  const text = result.content.find((c) => c.type === 'text')?.text ?? '';
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (body.error && typeof body.error.message === 'string') {
      const details = body.error.details as Record<string, unknown> | undefined;
      return new AppError(
        isErrorCode(body.error.code) ? body.error.code : 'internal',
        body.error.message,
        details,
      );
    }
  } catch {
    // plain text: classified below
  }
  const m = /^MCP error (-?\d+): ([\s\S]*)$/.exec(text);
  const message = (m ? m[2]! : text) || 'Tool call failed';
  if (/^Tool \S+ (not found|disabled)$/.test(message)) return new AppError('not_found', message);
  if (m && Number(m[1]) === JsonRpcCode.InvalidParams) return new AppError('bad_request', message);
  return new AppError('internal', message);
}

/** An error object the SDK's Protocol turns into a JSON-RPC error (`code`, `message`, `data`). */
export class JsonRpcAppError extends Error {
  readonly code: number;
  readonly data: { code: ErrorCode; details?: Record<string, unknown> };
  constructor(err: AppError) {
    super(err.message);
    this.name = 'JsonRpcAppError';
    this.code = jsonRpcCodeFor(err.code);
    this.data = { code: err.code, ...(err.details ? { details: err.details } : {}) };
  }
}

/** MCP's own "resource not found" code (spec, server/resources). */
const RESOURCE_NOT_FOUND = -32002;

function jsonRpcCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'bad_request':
      return JsonRpcCode.InvalidParams;
    case 'not_found':
    case 'unknown_symbol':
      return RESOURCE_NOT_FOUND;
    default:
      return JsonRpcCode.InternalError;
  }
}

/** The AppError behind a JSON-RPC error (an `McpError` on the client side). */
export function appErrorFromJsonRpc(code: number, message: string, data: unknown): AppError {
  const clean = message.replace(/^MCP error -?\d+: /, '');
  const d = data as { code?: unknown; details?: Record<string, unknown> } | undefined;
  if (d && isErrorCode(d.code)) return new AppError(d.code, clean, d.details);
  switch (code) {
    case JsonRpcCode.InvalidParams:
    case JsonRpcCode.InvalidRequest:
      return new AppError('bad_request', clean);
    case JsonRpcCode.MethodNotFound:
    case RESOURCE_NOT_FOUND:
      return new AppError('not_found', clean);
    case JsonRpcCode.RequestTimeout:
      return new AppError('timeout', clean);
    case JsonRpcCode.ConnectionClosed:
      return new AppError('unavailable', clean);
    default:
      return new AppError('internal', clean);
  }
}
