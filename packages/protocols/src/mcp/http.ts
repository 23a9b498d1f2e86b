import { randomUUID } from 'node:crypto';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { type Logger, type Metrics, toAppError } from '@stockpulse/core';
import type { Hono } from 'hono';
import type { Principal } from '../auth/principal.js';
import type { CredentialVerifier } from '../auth/verifier.js';
import type { McpServerSpec } from './define.js';
import { BoundedEventStore } from './event-store.js';
import { type AuditSink, createMcpServer, principalFromAuthInfo } from './server.js';

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
}

interface Session {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
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

  app.all(MCP_PATH, async (c) => {
    const method = c.req.method;
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') {
      return jsonRpcError(405, -32000, 'Method not allowed', { allow: 'GET, POST, DELETE' });
    }
    const authorization = c.req.header('authorization');
    let principal: Principal;
    try {
      principal = await opts.verify(authorization);
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
      return session.transport.handleRequest(c.req.raw, { authInfo });
    }
    if (method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');

    // No session yet: only an `initialize` POST may open one (the transport rejects anything else).
    const session = await openSession();
    const res = await session.transport.handleRequest(c.req.raw, { authInfo });
    if (session.transport.sessionId === undefined) await session.server.close();
    return res;
  });

  async function openSession(): Promise<Session> {
    if (sessions.size >= maxSessions) evictLeastRecentlyUsed();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      eventStore: new BoundedEventStore(opts.eventsPerSession ?? 1000),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
        log.debug({ sessionId: id }, 'mcp session opened');
      },
    });
    const server = createMcpServer(spec, {
      logger: opts.logger,
      metrics: opts.metrics,
      onAudit: opts.onAudit,
      principalFor: principalFromAuthInfo,
    });
    const session: Session = { server, transport, lastSeen: Date.now() };
    // Set before connect: the SDK chains its own onclose after ours.
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && sessions.get(id) === session) {
        sessions.delete(id);
        log.debug({ sessionId: id }, 'mcp session closed');
      }
    };
    transport.onerror = (err) => log.debug({ err: err.message }, 'mcp transport error');
    await server.connect(transport);
    return session;
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
    await session.server
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
