import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  DEFAULT_MAX_REQUEST_BODY_SIZE,
  readRequestBody,
  requestBodyTooLargeMessage,
} from '@modelcontextprotocol/sdk/server/requestBody.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type Logger, type Metrics, toAppError } from '@stockpulse/core';
import type { Context, Hono } from 'hono';
import type { Principal } from '../auth/principal.js';
import type { CredentialVerifier } from '../auth/verifier.js';
import { rememberVerifiedCredentials } from './credential-cache.js';
import type { McpServerSpec } from './define.js';
import { BoundedEventStore } from './event-store.js';
import { JsonResponseTransport } from './json-transport.js';
import { type AuditSink, createMcpServer, principalFromAuthInfo } from './server.js';
import { ResourceSubscriptions } from './subscriptions.js';

export interface McpHttpOptions {
  /** Checks the `Authorization` header of every request (JWT or API key). */
  verify: CredentialVerifier;
  logger: Logger;
  metrics: Metrics;
  onAudit?: AuditSink;
  /** Public base URL of this server (the protected resource, RFC 9728), e.g. `http://127.0.0.1:8102`. */
  resourceUrl: string;
  /** Issuer URLs of the authorization servers clients get tokens from. */
  authorizationServers: string[];
  /** Sessions with no request for this long are closed; default 30 min. */
  sessionIdleMs?: number;
  /** Above this many live sessions the least recently used one is closed; default 1000. */
  maxSessions?: number;
  /** SSE events kept per session for resumption (`Last-Event-ID`); default 1000. */
  eventsPerSession?: number;
  /** How long a verified JWT is remembered (see `rememberVerifiedCredentials`); default 30 s, 0 = off. */
  verifiedCredentialTtlMs?: number;
}

/**
 * One MCP session, served two ways. `stream` answers with SSE (each event stored for `Last-Event-ID`
 * resumption): `initialize`, the GET notification stream, DELETE, client notifications and
 * responses, and requests that asked for progress. `plain` answers the rest (a request that wants
 * nothing but its one result, the usual tool call or read) as a single `application/json` body: no
 * stream to open and close, no event to store. Both are McpServers of the same spec; resource
 * subscriptions live in the session and notifications leave through `stream`.
 */
interface Session {
  id: string;
  stream: { server: McpServer; transport: WebStandardStreamableHTTPServerTransport };
  plain?: { server: McpServer; transport: JsonResponseTransport };
  subscriptions: ResourceSubscriptions;
  lastSeen: number;
}

export const MCP_PATH = '/mcp';
const METADATA_PATH = '/.well-known/oauth-protected-resource';

/**
 * Serve `spec` over MCP Streamable HTTP at `/mcp` (POST, GET, DELETE) plus its OAuth protected-resource
 * metadata. Sessions are stateful (one `McpServer` + transport each) but not bound to a user: every
 * HTTP request is verified on its own and its principal travels in that request's `authInfo`, so one
 * agent session can carry calls for many users, each acting as the user whose token it carries.
 *
 * Returns a function that closes every session (call it on shutdown).
 */
export function mountMcpHttp(app: Hono, spec: McpServerSpec, opts: McpHttpOptions): () => Promise<void> {
  const log = opts.logger.child({ mcpServer: spec.name });
  const sessions = new Map<string, Session>();
  const idleMs = opts.sessionIdleMs ?? 30 * 60_000;
  const maxSessions = opts.maxSessions ?? 1000;
  const resourceUrl = opts.resourceUrl.replace(/\/$/, '');
  const metadataUrl = `${resourceUrl}${METADATA_PATH}`;

  const metadata = {
    resource: resourceUrl,
    authorization_servers: opts.authorizationServers,
    scopes_supported: ['read', 'trade', 'admin'],
    bearer_methods_supported: ['header'],
    resource_name: spec.title ?? spec.name,
  };
  for (const path of [METADATA_PATH, `${METADATA_PATH}${MCP_PATH}`]) {
    app.get(path, (c) => {
      c.header('cache-control', 'public, max-age=300');
      return c.json(metadata);
    });
  }

  const verify = rememberVerifiedCredentials(opts.verify, { ttlMs: opts.verifiedCredentialTtlMs ?? 30_000 });

  app.all(MCP_PATH, async (c) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') {
      return jsonRpcError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    const authorization = c.req.header('authorization');
    let principal: Principal;
    try {
      principal = await verify(authorization);
    } catch (e) {
      return authFailure(e, authorization !== undefined, metadataUrl);
    }
    const authInfo: AuthInfo = {
      token: /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1] ?? '',
      clientId: principal.subject,
      scopes: principal.scopes,
      extra: { principal },
    };

    const sessionId = c.req.header('mcp-session-id');
    if (sessionId) {
      const session = sessions.get(sessionId);
      if (!session) return jsonRpcError(404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      const req = c.req.raw;
      // Anything the transport would refuse before reading the body goes to it unread, so the
      // answer (405/406/415) stays the SDK's own.
      if (method !== 'POST' || !acceptsJsonAndSse(req) || !isJsonBody(req)) {
        return session.stream.transport.handleRequest(req, { authInfo });
      }
      const body = await readBody(c, DEFAULT_MAX_REQUEST_BODY_SIZE);
      if (body.tooLarge) {
        return jsonRpcError(413, -32000, requestBodyTooLargeMessage(DEFAULT_MAX_REQUEST_BODY_SIZE));
      }
      let parsedBody: unknown;
      try {
        parsedBody = JSON.parse(body.text);
      } catch {
        return jsonRpcError(400, -32700, 'Parse error: Invalid JSON');
      }
      if (wantsOnlyItsResult(parsedBody)) {
        return (await plainEndpoint(session)).transport.handle(req, parsedBody, authInfo);
      }
      // A cancellation may name a request the plain endpoint is running.
      if (session.plain && isCancellation(parsedBody)) {
        session.plain.transport.onmessage?.(parsedBody as JSONRPCMessage, { authInfo });
      }
      return session.stream.transport.handleRequest(req, { authInfo, parsedBody });
    }
    if (method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');

    // No session yet: only an `initialize` POST may open one (the transport rejects anything else).
    const session = await openSession();
    const res = await session.stream.transport.handleRequest(c.req.raw, { authInfo });
    if (session.stream.transport.sessionId === undefined) {
      session.subscriptions.close();
      await session.stream.server.close();
    }
    return res;
  });

  function serverFor(subscriptions: ResourceSubscriptions): McpServer {
    return createMcpServer(spec, {
      logger: opts.logger,
      metrics: opts.metrics,
      onAudit: opts.onAudit,
      principalFor: principalFromAuthInfo,
      subscriptions,
    });
  }

  async function openSession(): Promise<Session> {
    if (sessions.size >= maxSessions) evictLeastRecentlyUsed();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new BoundedEventStore(opts.eventsPerSession ?? 1000),
      onsessioninitialized: (id) => {
        session.id = id;
        sessions.set(id, session);
        log.debug({ sessionId: id }, 'mcp session opened');
      },
    });
    // Notifications go out on the session's GET stream (and into its event store for replay).
    let stream: McpServer | undefined;
    const subscriptions = new ResourceSubscriptions(
      (uri) => stream?.server.sendResourceUpdated({ uri }) ?? Promise.resolve(),
      (err, uri) => log.debug({ err, uri }, 'resource update notification not sent'),
    );
    stream = serverFor(subscriptions);
    const session: Session = {
      id: '',
      stream: { server: stream, transport },
      subscriptions,
      lastSeen: Date.now(),
    };
    // Set before connect: the SDK chains its own onclose after ours.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.get(id) === session) {
        sessions.delete(id);
        void closePlain(session);
        log.debug({ sessionId: id }, 'mcp session closed');
      }
      subscriptions.close();
    };
    transport.onerror = (err) => log.debug({ err: err.message }, 'mcp transport error');
    await stream.connect(transport);
    return session;
  }

  /** The session's JSON-answering endpoint, made on first use (sessions that never call pay nothing). */
  async function plainEndpoint(session: Session): Promise<NonNullable<Session['plain']>> {
    if (session.plain) return session.plain;
    const transport = new JsonResponseTransport(session.id);
    transport.onerror = (err) => log.debug({ err: err.message }, 'mcp transport error');
    const plain = { server: serverFor(session.subscriptions), transport };
    session.plain = plain;
    await plain.server.connect(transport);
    return plain;
  }

  async function closePlain(session: Session): Promise<void> {
    const plain = session.plain;
    session.plain = undefined;
    await plain?.server
      .close()
      .catch((err) => log.warn({ err, sessionId: session.id }, 'error closing mcp session'));
  }

  function evictLeastRecentlyUsed(): void {
    let oldest: [string, Session] | undefined;
    for (const entry of sessions) if (!oldest || entry[1].lastSeen < oldest[1].lastSeen) oldest = entry;
    if (oldest) {
      log.warn(
        { sessionId: oldest[0], maxSessions },
        'mcp session limit reached; closing least recently used',
      );
      void closeSession(oldest[0], oldest[1]);
    }
  }

  async function closeSession(id: string, session: Session): Promise<void> {
    sessions.delete(id);
    session.subscriptions.close();
    await closePlain(session);
    await session.stream.server
      .close()
      .catch((err) => log.warn({ err, sessionId: id }, 'error closing mcp session'));
  }

  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, s] of sessions) {
        if (s.lastSeen < cutoff) {
          log.info({ sessionId: id }, 'closing idle mcp session');
          void closeSession(id, s);
        }
      }
    },
    Math.min(60_000, Math.max(250, idleMs / 2)),
  );
  sweep.unref();

  return async () => {
    clearInterval(sweep);
    await Promise.all([...sessions].map(([id, s]) => closeSession(id, s)));
  };
}

/**
 * The request body as text, at most `maxBytes`. Served by `@hono/node-server`, it is read from Node's
 * own request stream: building a WHATWG Request and its body stream just to read it costs ~0.1 ms a
 * call. Any other runtime (or a body someone already started reading) takes the web-standard way.
 */
async function readBody(
  c: Context,
  maxBytes: number,
): Promise<{ tooLarge: true } | { tooLarge: false; text: string }> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!(incoming instanceof Readable) || incoming.readableDidRead || incoming.readableEnded) {
    const body = await readRequestBody(c.req.raw, maxBytes);
    return body.tooLarge ? { tooLarge: true } : { tooLarge: false, text: body.text };
  }
  if (Number(incoming.headers['content-length']) > maxBytes) return { tooLarge: true };
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return { tooLarge: true };
    chunks.push(chunk);
  }
  return { tooLarge: false, text: Buffer.concat(chunks, size).toString('utf8') };
}

/** A single JSON-RPC request that did not ask for progress: its answer is its one result. */
function wantsOnlyItsResult(message: unknown): boolean {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) return false;
  const m = message as { id?: unknown; method?: unknown; params?: { _meta?: { progressToken?: unknown } } };
  return (
    (typeof m.id === 'string' || typeof m.id === 'number') &&
    typeof m.method === 'string' &&
    m.method !== 'initialize' &&
    m.params?._meta?.progressToken === undefined
  );
}

function isCancellation(message: unknown): boolean {
  return (message as { method?: unknown } | null)?.method === 'notifications/cancelled';
}

/** The transport's own conditions for reading a POST body (the spec requires both media types). */
function acceptsJsonAndSse(req: Request): boolean {
  const accept = req.headers.get('accept') ?? '';
  return accept.includes('application/json') && accept.includes('text/event-stream');
}

function isJsonBody(req: Request): boolean {
  const type = req.headers.get('content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  return type === 'application/json';
}

function jsonRpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/**
 * 401 with the RFC 9728 pointer to our metadata (and RFC 6750 `invalid_token` when a credential
 * was presented but refused). A verifier outage is not the caller's fault: that stays a 503.
 */
function authFailure(e: unknown, presented: boolean, metadataUrl: string): Response {
  const err = toAppError(e);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (err.code === 'unauthenticated') {
    const params = presented
      ? `error="invalid_token", error_description="${err.message.replace(/"/g, "'")}", `
      : '';
    headers['www-authenticate'] = `Bearer ${params}resource_metadata="${metadataUrl}"`;
  }
  return new Response(JSON.stringify({ error: { code: err.code, message: err.message } }), {
    status: err.code === 'unauthenticated' ? 401 : err.status,
    headers,
  });
}
