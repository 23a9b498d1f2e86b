import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isJSONRPCErrorResponse,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
  JSONRPCRequestSchema,
  type RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';

/**
 * The plain half of a Streamable HTTP session: one JSON-RPC request in, its one response out as an
 * `application/json` body (the spec lets a server answer a POST either way; the client accepts both).
 * No SSE stream to open and close and no event to store, which is most of what a small call costs.
 *
 * Only requests that want nothing but their result come here (`mountMcpHttp` routes requests that
 * ask for progress, and everything else, to the streaming transport). A message a handler sends on
 * the side of such a request (a log line or progress) has no stream to travel on and is dropped,
 * as with the SDK's own `enableJsonResponse` mode. The session id is checked by the caller.
 */
export class JsonResponseTransport implements Transport {
  onmessage?: Transport['onmessage'];
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private readonly pending = new Map<RequestId, (res: Response) => void>();
  private closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  /** Answer `message` (already parsed JSON) from the connected server. */
  handle(req: Request, message: unknown, authInfo: AuthInfo): Promise<Response> {
    if (this.closed) return Promise.resolve(jsonError(404, -32001, 'Session not found'));
    const version = req.headers.get('mcp-protocol-version');
    if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return Promise.resolve(
        jsonError(
          400,
          -32000,
          `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
        ),
      );
    }
    const parsed = JSONRPCRequestSchema.safeParse(message);
    if (!parsed.success) {
      return Promise.resolve(jsonError(400, -32700, 'Parse error: Invalid JSON-RPC message'));
    }
    const request = parsed.data;
    if (this.pending.has(request.id)) {
      return Promise.resolve(jsonError(400, -32600, `Invalid Request: request id ${request.id} is in use`));
    }
    return new Promise<Response>((resolve) => {
      this.pending.set(request.id, resolve);
      const headers: Record<string, string> = {};
      req.headers.forEach((value, key) => {
        headers[key] = value;
      });
      this.onmessage?.(request, { authInfo, requestInfo: { headers, url: new URL(req.url) } });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (!(isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message))) return;
    if (message.id === undefined) return;
    const resolve = this.pending.get(message.id);
    if (!resolve) return;
    this.pending.delete(message.id);
    resolve(
      new Response(JSON.stringify(message), {
        status: 200,
        headers: { 'content-type': 'application/json', 'mcp-session-id': this.sessionId },
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const resolve of this.pending.values()) resolve(jsonError(404, -32001, 'Session not found'));
    this.pending.clear();
    this.onclose?.();
  }
}

function jsonError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json' },
  });
}
