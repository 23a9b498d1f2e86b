import { createHash } from 'node:crypto';
import { A2A_VERSION_HEADER, type AgentCard, Extensions, HTTP_EXTENSION_HEADER } from '@a2a-js/sdk';
import { LEGACY_HTTP_EXTENSION_HEADER } from '@a2a-js/sdk/compat/v0_3';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import {
  type AgentExecutor,
  DefaultExecutionEventBusManager,
  DefaultRequestHandler,
  defaultServerCallContextBuilder,
  InMemoryPushNotificationStore,
  InMemoryTaskStore,
  JsonRpcTransportHandler,
  type PushNotificationStore,
  type ServerCallContext,
  type TaskStore,
  validateVersion,
} from '@a2a-js/sdk/server';
import { type Logger, type Metrics, toAppError } from '@stockpulse/core';
import type { Context, Hono } from 'hono';
import type { CredentialVerifier } from '../auth/verifier.js';
import { agentCardJson, DEFAULT_A2A_PATH, legacyAgentCardJson } from './card.js';
import { A2A_ERROR, type JsonRpcErrorBody, jsonRpcError } from './errors.js';
import { guardExecutor } from './executor.js';
import { PrincipalUser } from './principal.js';
import {
  checkedPushStore,
  PUSH_JWKS_ROUTE,
  type PushRetryPolicy,
  type PushSigner,
  signedPushSender,
} from './push.js';
import { isOwnerScoped, ownedTaskStore } from './task-store.js';

export const AGENT_CARD_ROUTE = '/.well-known/agent-card.json';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export interface MountA2AOptions {
  /** The card, or a function called once on first use (e.g. when the public URL is known only after listen). */
  card: AgentCard | (() => AgentCard);
  executor: AgentExecutor;
  /**
   * Default: an in-process InMemoryTaskStore (tasks live as long as the process). Always owner-scoped:
   * wrapped in `ownedTaskStore` unless it scopes by owner itself (`mcpTaskStore`).
   */
  taskStore?: TaskStore;
  /**
   * Push notifications. When set, the card says `capabilities.pushNotifications: true`, the
   * push-config methods work (configs in `store`), task events are POSTed to the webhooks signed by
   * `signer`, and the signer's public keys are served at `/.well-known/jwks.json`. When absent, the
   * card says false and the push methods answer -32003.
   */
  push?: PushOptions;
  metrics?: Metrics;
  /** How often a running task checks the store for a cancellation made on another replica; default 1 s. */
  cancelPollMs?: number;
  verify: CredentialVerifier;
  logger: Logger;
  /** JSON-RPC endpoint path; default `/a2a`. */
  path?: string;
  /** Larger bodies are refused with HTTP 413 and JSON-RPC -32600 before any work; default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Accept A2A v0.3 peers: a call whose `A2A-Version` is absent or 0.3 goes through the SDK's v0.3
   * JSON-RPC handler (`message/send`, `tasks/get`, …) and a card request without a v1.0 header gets
   * the v0.3-shaped card. The card must also list a v0.3 JSON-RPC interface (`agentCard({ legacyCompat })`).
   */
  legacyCompat?: boolean;
}

export interface PushOptions {
  signer: PushSigner;
  /** Default: in process (configs live as long as the process). Always behind `checkedPushStore`. */
  store?: PushNotificationStore;
  /** Webhook URLs beyond "absolute http(s) without credentials" that may be called (an allow-list). */
  allowWebhookUrl?: (url: URL) => boolean;
  retry?: Partial<PushRetryPolicy>;
  /** Underlying fetch for deliveries (tests). */
  fetch?: typeof fetch;
}

type RpcResponse = { jsonrpc: string; id: string | number | null; result?: unknown; error?: unknown };
type Transport = { handle(body: Record<string, unknown>, ctx: ServerCallContext): Promise<unknown> };

interface Runtime {
  card: AgentCard;
  transport: JsonRpcTransportHandler;
  legacy?: LegacyJsonRpcTransportHandler;
  cardBody: string;
  cardEtag: string;
  legacyCard?: Promise<{ body: string; etag: string }>;
}

/**
 * Serve an A2A v1.0 agent on a hono app: the public card at `/.well-known/agent-card.json` and
 * JSON-RPC (+ SSE for `SendStreamingMessage` / `SubscribeToTask`) at `path`, through the SDK's
 * `DefaultRequestHandler` and `JsonRpcTransportHandler`. Every call is authenticated; the verified
 * principal rides on the SDK's `ServerCallContext.user` (read it with `principalOf`) and owns the
 * tasks it creates.
 */
export function mountA2A(app: Hono, opts: MountA2AOptions): void {
  const path = opts.path ?? DEFAULT_A2A_PATH;
  const maxBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const inner = opts.taskStore ?? new InMemoryTaskStore();
  const taskStore = isOwnerScoped(inner) ? inner : ownedTaskStore(inner);
  const executor = guardExecutor(opts.executor, opts.logger, {
    taskStore,
    cancelPollMs: opts.cancelPollMs,
    metrics: opts.metrics,
  });
  const push = opts.push;
  const pushStore = push
    ? checkedPushStore(push.store ?? new InMemoryPushNotificationStore(), push.allowWebhookUrl)
    : undefined;
  const pushSender =
    push && pushStore
      ? signedPushSender({
          store: pushStore,
          signer: push.signer,
          logger: opts.logger,
          metrics: opts.metrics,
          retry: push.retry,
          fetch: push.fetch,
        })
      : undefined;
  let runtime: Runtime | undefined;

  const getRuntime = (): Runtime => {
    if (runtime) return runtime;
    const given = typeof opts.card === 'function' ? opts.card() : opts.card;
    // The card says what this server does: push notifications exactly when they are wired.
    const card: AgentCard = {
      ...given,
      capabilities: given.capabilities && { ...given.capabilities, pushNotifications: Boolean(push) },
    };
    const handler = new DefaultRequestHandler(
      card,
      taskStore,
      executor,
      new DefaultExecutionEventBusManager(),
      pushStore,
      pushSender,
    );
    const cardBody = JSON.stringify(agentCardJson(card));
    runtime = {
      card,
      transport: new JsonRpcTransportHandler(handler),
      legacy: opts.legacyCompat ? new LegacyJsonRpcTransportHandler(handler) : undefined,
      cardBody,
      cardEtag: etag(cardBody),
    };
    return runtime;
  };

  app.get(AGENT_CARD_ROUTE, async (c) => {
    const rt = getRuntime();
    let { cardBody: body, cardEtag: tag } = rt;
    if (opts.legacyCompat) {
      c.header('vary', A2A_VERSION_HEADER);
      if (isLegacyVersion(c.req.header(A2A_VERSION_HEADER))) {
        rt.legacyCard ??= legacyAgentCardJson(rt.card).then((card) => {
          const json = JSON.stringify(card);
          return { body: json, etag: etag(json) };
        });
        ({ body, etag: tag } = await rt.legacyCard);
      }
    }
    c.header('etag', tag);
    c.header('cache-control', 'public, max-age=300');
    if (c.req.header('if-none-match') === tag) return c.body(null, 304);
    c.header('content-type', 'application/json');
    return c.body(body);
  });

  if (push) {
    app.get(PUSH_JWKS_ROUTE, (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(push.signer.jwks);
    });
  }

  app.post(path, async (c) => {
    if (Number(c.req.header('content-length') ?? 0) > maxBytes) return tooLarge(c, maxBytes);

    let user: PrincipalUser;
    try {
      user = new PrincipalUser(await opts.verify(c.req.header('authorization')));
    } catch (e) {
      return authFailure(c, e, opts.logger);
    }

    const contentType = c.req.header('content-type');
    if (contentType && contentType.split(';', 1)[0]!.trim().toLowerCase() !== 'application/json') {
      return c.json(
        jsonRpcError(
          null,
          A2A_ERROR.CONTENT_TYPE_NOT_SUPPORTED,
          `Unsupported Content-Type "${contentType}"; expected application/json`,
        ),
      );
    }
    const raw = await readBody(c.req.raw, maxBytes);
    if (raw === undefined) return tooLarge(c, maxBytes);
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
    } catch {
      return c.json(jsonRpcError(null, A2A_ERROR.PARSE_ERROR, 'Parse error: the body is not valid JSON'));
    }
    const invalid = invalidEnvelope(body);
    if (invalid)
      return c.json(jsonRpcError(idOf(body), A2A_ERROR.INVALID_REQUEST, `Invalid request: ${invalid}`));
    const request = body as Record<string, unknown> & { id?: string | number | null; method: string };
    const id = request.id ?? null;

    const rt = getRuntime();
    const version = majorMinor(c.req.header(A2A_VERSION_HEADER));
    const legacy = rt.legacy && isLegacyVersion(version);
    const mapError = legacy
      ? LegacyJsonRpcTransportHandler.mapToLegacyJSONRPCError
      : JsonRpcTransportHandler.mapToJSONRPCError;
    const context = defaultServerCallContextBuilder({
      extensions: Extensions.parseServiceParameter(
        c.req.header(legacy ? LEGACY_HTTP_EXTENSION_HEADER : HTTP_EXTENSION_HEADER) ??
          c.req.header(HTTP_EXTENSION_HEADER),
      ),
      user,
      headers: safeHeaders(c.req.raw.headers),
      requestedVersion: version,
    });
    try {
      validateVersion(context.requestedVersion, rt.card, 'JSONRPC');
    } catch (e) {
      return c.json({ jsonrpc: '2.0', id, error: mapError(e) });
    }

    // An unknown method is -32601 whatever its params (the SDK checks params first and says -32602).
    const known = legacy ? LEGACY_METHODS : V1_METHODS;
    if (!known.has(request.method)) {
      return c.json(jsonRpcError(id, A2A_ERROR.METHOD_NOT_FOUND, `Method not found: ${request.method}`));
    }
    const badId = invalidMessageIds(request);
    if (badId) return c.json(jsonRpcError(id, A2A_ERROR.INVALID_PARAMS, `Invalid params: ${badId}`));
    const transport: Transport = legacy ? rt.legacy! : rt.transport;
    let result: RpcResponse | AsyncGenerator<RpcResponse>;
    try {
      result = (await transport.handle(request, context)) as RpcResponse | AsyncGenerator<RpcResponse>;
    } catch (e) {
      // The SDK answers its own failures as JSON-RPC errors; this is only a last line of defence.
      opts.logger.error({ err: e, method: request.method }, 'a2a handler threw');
      return c.json(jsonRpcError(id, A2A_ERROR.INTERNAL_ERROR, 'Internal error'));
    }
    const extensionHeaders: Record<string, string> = context.activatedExtensions?.length
      ? {
          [legacy ? LEGACY_HTTP_EXTENSION_HEADER : HTTP_EXTENSION_HEADER]:
            context.activatedExtensions.join(','),
        }
      : {};
    for (const [k, v] of Object.entries(extensionHeaders)) c.header(k, v);
    if (!(Symbol.asyncIterator in result)) {
      logRpcError(opts.logger, request.method, result.error);
      return c.json(result);
    }
    const stream = result;
    let first: IteratorResult<RpcResponse>;
    try {
      first = await stream.next();
    } catch (e) {
      const error = mapError(e);
      logRpcError(opts.logger, request.method, error);
      return c.json({ jsonrpc: '2.0', id, error });
    }
    // The SDK persists a streamed task as the stream is consumed: keep consuming a SendStreamingMessage
    // after its client hangs up so the task still reaches the store (GetTask / SubscribeToTask see it).
    const drain = request.method === 'SendStreamingMessage' || request.method === 'message/stream';
    return sse(stream, first, drain, extensionHeaders, (e) => {
      const error = mapError(e);
      logRpcError(opts.logger, request.method, error);
      return { jsonrpc: '2.0', id, error };
    });
  });
}

/**
 * Each JSON-RPC response as one SSE `data:` event; a failure mid-stream as an `event: error` carrying
 * a JSON-RPC error; a comment every 15 s so idle proxies keep the stream. When the client goes away
 * the events are dropped; the iteration stops, or with `drainOnDisconnect` runs to its end.
 */
function sse(
  stream: AsyncGenerator<RpcResponse>,
  first: IteratorResult<RpcResponse>,
  drainOnDisconnect: boolean,
  extraHeaders: Record<string, string>,
  onError: (e: unknown) => JsonRpcErrorBody | RpcResponse,
): Response {
  const encoder = new TextEncoder();
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          closed = true;
        }
      };
      heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
      const pump = async () => {
        try {
          for (let next = first; !next.done; next = await stream.next()) {
            send(`data: ${JSON.stringify(next.value)}\n\n`);
          }
        } catch (e) {
          send(`event: error\ndata: ${JSON.stringify(onError(e))}\n\n`);
        } finally {
          clearInterval(heartbeat);
          if (!closed) {
            closed = true;
            controller.close();
          }
        }
      };
      void pump();
    },
    cancel() {
      closed = true;
      clearInterval(heartbeat);
      if (!drainOnDisconnect) void stream.return(undefined).catch(() => {});
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...extraHeaders,
    },
  });
}

function authFailure(c: Context, e: unknown, logger: Logger): Response {
  const err = toAppError(e);
  if (err.code === 'unauthenticated' || err.code === 'forbidden') {
    if (err.code === 'unauthenticated') {
      const presented = Boolean(c.req.header('authorization'));
      c.header('www-authenticate', `Bearer realm="stockpulse"${presented ? ', error="invalid_token"' : ''}`);
    }
    const reason = err.code === 'forbidden' ? 'PERMISSION_DENIED' : 'UNAUTHENTICATED';
    return c.json(jsonRpcError(null, A2A_ERROR.UNAUTHENTICATED, err.message, reason), err.status as 401);
  }
  logger.error({ err: e }, 'a2a: credential verification failed');
  return c.json(jsonRpcError(null, A2A_ERROR.INTERNAL_ERROR, err.message, 'UNAVAILABLE'), err.status as 503);
}

function tooLarge(c: Context, maxBytes: number): Response {
  c.header('connection', 'close');
  return c.json(jsonRpcError(null, A2A_ERROR.INVALID_REQUEST, `Request body exceeds ${maxBytes} bytes`), 413);
}

/** The body bytes, or undefined once they pass `maxBytes` (the rest is not read). */
async function readBody(req: Request, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
}

const V1_METHODS = new Set([
  'SendMessage',
  'SendStreamingMessage',
  'GetTask',
  'ListTasks',
  'CancelTask',
  'SubscribeToTask',
  'CreateTaskPushNotificationConfig',
  'GetTaskPushNotificationConfig',
  'ListTaskPushNotificationConfigs',
  'DeleteTaskPushNotificationConfig',
  'GetExtendedAgentCard',
]);
const LEGACY_METHODS = new Set([
  'message/send',
  'message/stream',
  'tasks/get',
  'tasks/cancel',
  'tasks/resubscribe',
  'tasks/pushNotificationConfig/set',
  'tasks/pushNotificationConfig/get',
  'tasks/pushNotificationConfig/list',
  'tasks/pushNotificationConfig/delete',
  'agent/getAuthenticatedExtendedCard',
]);

/** JSON-RPC 2.0 request-object checks; `params` is left to the SDK (-32602). */
function invalidEnvelope(body: unknown): string | undefined {
  if (Array.isArray(body)) return 'batch requests are not supported';
  if (typeof body !== 'object' || body === null) return 'expected a JSON-RPC request object';
  const r = body as Record<string, unknown>;
  if (r.jsonrpc !== '2.0') return 'jsonrpc must be "2.0"';
  if (typeof r.method !== 'string' || r.method === '') return 'method must be a non-empty string';
  if ('id' in r && !(r.id === null || typeof r.id === 'string' || Number.isInteger(r.id))) {
    return 'id must be a string, an integer or null';
  }
  return undefined;
}

/** Ids a client may choose (a continued task, a context): opaque, printable, bounded, as stores keep them. */
const CLIENT_ID = /^[\w.:@/+=-]{1,200}$/;

/** A message's own `taskId` / `contextId`, when given, must be ids a store can keep. */
function invalidMessageIds(request: { method: string; params?: unknown }): string | undefined {
  if (!SEND_METHODS.has(request.method)) return undefined;
  const message = (request.params as { message?: Record<string, unknown> } | undefined)?.message;
  if (!message || typeof message !== 'object') return undefined;
  for (const field of ['taskId', 'contextId'] as const) {
    const value = message[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string' || !CLIENT_ID.test(value))
      return `message.${field} must be 1-200 characters of letters, digits and . : @ / + = - _`;
  }
  return undefined;
}

const SEND_METHODS = new Set(['SendMessage', 'SendStreamingMessage', 'message/send', 'message/stream']);

function idOf(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' || Number.isInteger(id) ? (id as string | number) : null;
}

/** `A2A-Version` as Major.Minor: patch numbers never take part in negotiation (`1.0.2` is `1.0`). */
function majorMinor(header: string | undefined): string | undefined {
  const v = header?.trim();
  if (!v) return undefined;
  const m = /^(\d+)\.(\d+)(?:\.\d+)?$/.exec(v);
  return m ? `${Number(m[1])}.${Number(m[2])}` : v;
}

/** Absent (v0.3 clients send no header) or in [0.3, 1.0). */
function isLegacyVersion(version: string | undefined): boolean {
  if (!version) return true;
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return false;
  const major = Number(m[1]);
  const minor = Number(m[2] ?? 0);
  return major === 0 && minor >= 3;
}

/** Request headers for `ServerCallContext.state`, minus the credential (the principal carries it). */
function safeHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((v, k) => {
    if (k !== 'authorization' && k !== 'cookie') out[k] = v;
  });
  return out;
}

function etag(body: string): string {
  return `W/"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
}

function logRpcError(logger: Logger, method: string, error: unknown): void {
  if (!error) return;
  const { code, message } = error as { code?: number; message?: string };
  if (code === A2A_ERROR.INTERNAL_ERROR) logger.error({ method, code, reason: message }, 'a2a call failed');
  else logger.debug({ method, code, reason: message }, 'a2a call rejected');
}
