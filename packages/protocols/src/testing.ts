/**
 * Test helpers for servers built on this package: a JWKS-only token issuer standing in for the
 * auth server, and a spec served over Streamable HTTP exactly as `runMcpService` serves it.
 * For tests only — nothing in a service imports this.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createLogger, createMetrics, createServiceApp, listen } from '@stockpulse/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AUTH_AUDIENCE, AUTH_ISSUER } from './auth/principal.js';
import { type CredentialVerifier, createVerifier } from './auth/verifier.js';
import type { McpServerSpec } from './mcp/define.js';
import { mountMcpHttp } from './mcp/http.js';

const HOST = '127.0.0.1';
const silent = createLogger('test', 'silent');

export interface TestIssuer {
  url: string;
  /** An ES256 access token for `sub` with space-separated `scope`, as the auth server would sign it. */
  sign(sub: string, scope: string): Promise<string>;
  /** The real verifier, pointed at this issuer's JWKS. */
  verify: CredentialVerifier;
  close(): Promise<void>;
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const app = createServiceApp({ name: 'test-auth', logger: silent, metrics: createMetrics('test-auth') });
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
  const server = await listen(app, { port: 0, host: HOST });
  return {
    url: server.url,
    sign: (sub, scope) =>
      new SignJWT({ scope })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
        .setSubject(sub)
        .setIssuer(AUTH_ISSUER)
        .setAudience(AUTH_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    verify: createVerifier({ authUrl: server.url }),
    close: () => server.close(),
  };
}

/** Serve `spec` over Streamable HTTP on a free port, verifying tokens against `issuer`. */
export async function serveMcpSpec(
  spec: McpServerSpec,
  issuer: Pick<TestIssuer, 'url' | 'verify'>,
): Promise<{ url: string; close(): Promise<void> }> {
  const metrics = createMetrics(`${spec.name}-test`);
  const app = createServiceApp({ name: `${spec.name}-test`, logger: silent, metrics });
  const server = await listen(app, { port: 0, host: HOST });
  const closeSessions = mountMcpHttp(app, spec, {
    verify: issuer.verify,
    logger: silent,
    metrics,
    resourceUrl: server.url,
    authorizationServers: [issuer.url],
  });
  return {
    url: server.url,
    close: async () => {
      await closeSessions();
      await server.close();
    },
  };
}

/** A real SDK client on `<url>/mcp` sending `token` on every request. */
export async function connectMcpClient(url: string, token: string): Promise<Client> {
  const client = new Client({ name: 'stockpulse-test', version: '0.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL('/mcp', url), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}
