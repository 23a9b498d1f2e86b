import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Logger, Metrics } from '@stockpulse/core';
import { createServiceApp } from '@stockpulse/core';
import type { CredentialVerifier } from '@stockpulse/protocols/auth';
import type { McpToolClient } from '@stockpulse/protocols/mcp';
import type { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { type GatewayEnv, requireAuth } from './middleware/require-auth.js';
import { a2aRoutes } from './routes/a2a.js';
import { agentRoutes } from './routes/agent.js';
import { authRoutes } from './routes/auth.js';
import { copilotKitRoutes } from './routes/copilotkit.js';

export interface GatewayDeps {
  logger: Logger;
  metrics: Metrics;
  verify: CredentialVerifier;
  auth: McpToolClient;
  serviceAuthorization: () => Promise<string>;
  userAssistantUrl: string;
  /** The gateway's public base URL (what external agents are told to call). */
  publicUrl: string;
  /** Built web app (web/dist); absent → the API still works and `/` explains how to build it. */
  webDist: string;
}

/** The public edge: auth, the AG-UI agent endpoint, CopilotRuntime, and the web app. */
export function createGatewayApp(deps: GatewayDeps): Hono {
  const app = createServiceApp({ name: 'gateway', logger: deps.logger, metrics: deps.metrics });
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: undefined,
      crossOriginEmbedderPolicy: false,
    }),
  );
  const authed = requireAuth(deps.verify);

  app.route('/api/v1/auth', authRoutes(deps.auth, deps.serviceAuthorization));
  app.get('/api/v1/me', authed, (c) => {
    const p = c.get('principal');
    return c.json({ userId: p.userId ?? null, email: p.email ?? null, scopes: p.scopes, via: p.via });
  });
  app.use('/api/v1/agent', authed);
  app.route('/api/v1/agent', agentRoutes(deps.userAssistantUrl) as unknown as Hono<GatewayEnv>);
  app.use('/api/copilotkit', authed);
  app.use('/api/copilotkit/*', authed);
  app.route('/api/copilotkit', copilotKitRoutes({ userAssistantUrl: deps.userAssistantUrl }));

  app.route(
    '/',
    a2aRoutes({ userAssistantUrl: deps.userAssistantUrl, publicUrl: deps.publicUrl, verify: deps.verify }),
  );

  if (existsSync(`${deps.webDist}/index.html`)) {
    const root = relative(process.cwd(), deps.webDist) || '.';
    app.use('/assets/*', serveStatic({ root }));
    app.use('*', serveStatic({ root }));
    // Client-side routes fall back to the app shell; unknown API paths stay JSON 404s.
    app.get('*', async (c, next) =>
      c.req.path.startsWith('/api/') ? next() : serveStatic({ root, path: 'index.html' })(c, next),
    );
  } else {
    app.get('/', (c) =>
      c.text(
        'The web app is not built yet: run `npm run build -w @stockpulse/web` (npm start does it for you).',
        503,
      ),
    );
  }
  return app;
}
