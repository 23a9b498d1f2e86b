import { randomUUID } from 'node:crypto';
import { Role, type SendMessageRequest } from '@a2a-js/sdk';
import { textPart } from '@stockpulse/protocols/a2a';

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked by the assertions
export type WireJson = any;

export interface RpcResult {
  status: number;
  headers: Headers;
  /** The parsed body; `{}` when the answer was not JSON. */
  json: { jsonrpc?: string; id?: unknown; result?: WireJson; error?: WireJson };
  text: string;
}

export interface RpcOptions {
  /** `Authorization` header value; null sends none. */
  auth: string | null;
  /** `A2A-Version`; null sends none. Default 1.0. */
  version?: string | null;
  headers?: Record<string, string>;
  id?: string | number | null;
}

/** One raw JSON-RPC call over fetch (what the SDK client would hide: status, headers, exact body). */
export async function rpc(
  url: string,
  method: string,
  params: unknown,
  opts: RpcOptions,
): Promise<RpcResult> {
  return post(
    url,
    { jsonrpc: '2.0', id: opts.id === undefined ? randomUUID() : opts.id, method, params },
    opts,
  );
}

/** POST any body (a string or bytes are sent verbatim) to `<url>/a2a`. */
export async function post(url: string, body: unknown, opts: RpcOptions): Promise<RpcResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const version = opts.version === undefined ? '1.0' : opts.version;
  if (version !== null) headers['a2a-version'] = version;
  if (opts.auth !== null) headers.authorization = opts.auth;
  const res = await fetch(`${url}/a2a`, {
    method: 'POST',
    headers: { ...headers, ...opts.headers },
    body:
      typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: RpcResult['json'] = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON (an SSE stream, or a broken answer the test will catch)
  }
  return { status: res.status, headers: res.headers, json, text };
}

/** Parse a text/event-stream body into its `data:` JSON payloads, and note `event: error` blocks. */
export function sseEvents(text: string): Array<{ event: string; data: WireJson }> {
  return text
    .split(/\r?\n\r?\n/)
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event =
        lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      return data ? { event, data: JSON.parse(data) } : undefined;
    })
    .filter((e): e is { event: string; data: WireJson } => e !== undefined);
}

/** SDK-typed SendMessage params (for the SDK client). */
export function sendMessageRequest(
  text: string,
  ids: { taskId?: string; contextId?: string } = {},
  configuration?: Partial<NonNullable<SendMessageRequest['configuration']>>,
): SendMessageRequest {
  return {
    tenant: '',
    message: {
      messageId: randomUUID(),
      role: Role.ROLE_USER,
      contextId: ids.contextId ?? '',
      taskId: ids.taskId ?? '',
      parts: [textPart(text)],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: configuration
      ? {
          acceptedOutputModes: [],
          taskPushNotificationConfig: undefined,
          returnImmediately: false,
          ...configuration,
        }
      : undefined,
    metadata: undefined,
  };
}

/** Wire-JSON SendMessage params. */
export function messageJson(text: string, ids: { taskId?: string; contextId?: string } = {}, data?: unknown) {
  const parts: WireJson[] = [{ text }];
  if (data !== undefined) parts.push({ data });
  return { message: { messageId: randomUUID(), role: 'ROLE_USER', parts, ...ids } };
}

/** Resolve once `check` holds (polled), or fail after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
