import {
  createLogger,
  createMetrics,
  createServiceApp,
  type Logger,
  listen,
  loadConfig,
  type McpServerName,
  type Metrics,
  onShutdown,
  type StockPulseConfig,
} from '@stockpulse/core';
import type { Hono } from 'hono';
import type { Principal } from '../auth/principal.js';
import { ServiceTokenSource } from '../auth/service-token.js';
import { type CredentialVerifier, createVerifier } from '../auth/verifier.js';
import type { McpServerSpec } from '../mcp/define.js';
import { mountMcpHttp } from '../mcp/http.js';
import type { AuditSink } from '../mcp/server.js';
import { serveMcpStdio } from '../mcp/stdio.js';
import { introspectionClient } from './introspect.js';

export interface McpServiceContext {
  config: StockPulseConfig;
  logger: Logger;
  metrics: Metrics;
  /** How the server is being served: stdio for a desktop client, http for the mesh. */
  mode: 'http' | 'stdio';
}

/** What a data-owning server hands the runner once its store is open. */
export interface OpenedMcpServer {
  spec: McpServerSpec;
  /** Extra facts for /healthz (e.g. which backend is in use). */
  health?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
  onAudit?: AuditSink;
  /** Extra HTTP routes next to /mcp (e.g. the auth server's JWKS and token endpoints). */
  routes?: (app: Hono) => void;
  /** Override token verification (the auth server verifies with its own keys). */
  verify?: CredentialVerifier;
  close(): Promise<void>;
}

/**
 * The one entry point of every MCP server: parse config, open the store, then serve the spec over
 * stdio (`--stdio`, acting as the configured local user) or Streamable HTTP on its port.
 */
export async function runMcpService(
  name: McpServerName,
  open: (ctx: McpServiceContext) => Promise<OpenedMcpServer>,
  argv: readonly string[] = process.argv.slice(2),
): Promise<void> {
  const config = loadConfig();
  const mode = argv.includes('--stdio') ? 'stdio' : 'http';
  const service = `mcp-${name}`;
  // stdout is the protocol channel over stdio: log to stderr there.
  const logger = createLogger(service, config.logLevel, { toStderr: mode === 'stdio' });
  const metrics = createMetrics(service);
  const opened = await open({ config, logger, metrics, mode });

  if (mode === 'stdio') {
    const principal: Principal = {
      kind: 'user',
      subject: config.stdioUserId,
      userId: config.stdioUserId,
      scopes: ['read', 'trade'],
      via: 'stdio',
    };
    const handle = await serveMcpStdio(opened.spec, { principal, logger, metrics, onAudit: opened.onAudit });
    const stop = async () => {
      await handle.close();
      await opened.close();
    };
    onShutdown(logger, stop);
    await handle.closed;
    await opened.close();
    process.exit(0);
  }

  const app = createServiceApp({ name: service, logger, metrics, health: opened.health });
  opened.routes?.(app);
  const verify = opened.verify ?? meshVerifier(config, service);
  const closeSessions = mountMcpHttp(app, opened.spec, {
    verify,
    logger,
    metrics,
    onAudit: opened.onAudit,
    resourceUrl: config.mcp[name].url,
    authorizationServers: [config.mcp.auth.url],
  });
  const server = await listen(app, { port: config.mcp[name].port, host: config.host });
  logger.info({ url: `${server.url}/mcp` }, 'mcp server listening');
  onShutdown(logger, async () => {
    await closeSessions();
    await server.close();
    await opened.close();
  });
}

/** JWTs verified locally against the auth server's JWKS; API keys introspected there (cached). */
export function meshVerifier(config: StockPulseConfig, clientId: string): CredentialVerifier {
  const tokens = config.serviceSecret
    ? new ServiceTokenSource({ authUrl: config.mcp.auth.url, clientId, clientSecret: config.serviceSecret })
    : undefined;
  return createVerifier({
    authUrl: config.mcp.auth.url,
    introspectApiKey: tokens ? introspectionClient(config.mcp.auth.url, tokens) : undefined,
  });
}
