import { AppError } from '@stockpulse/core';
import type { CredentialVerifier } from '@stockpulse/protocols/auth';
import type { Hono } from 'hono';
import type { AuthService } from './auth-service.js';

/**
 * The auth server's plain-HTTP surface next to /mcp: the JWKS every service verifies tokens with,
 * OAuth authorization-server metadata (RFC 8414), the token endpoint (client credentials for
 * services, refresh for clients) and token introspection (RFC 7662) for API keys.
 */
export function authRoutes(
  app: Hono,
  auth: AuthService,
  issuerUrl: string,
  verify: CredentialVerifier,
): void {
  app.get('/.well-known/jwks.json', async (c) => {
    c.header('cache-control', 'public, max-age=60');
    return c.json(await auth.jwks());
  });

  app.get('/.well-known/oauth-authorization-server', (c) =>
    c.json({
      issuer: issuerUrl,
      token_endpoint: `${issuerUrl}/oauth/token`,
      introspection_endpoint: `${issuerUrl}/oauth/introspect`,
      jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_post'],
      scopes_supported: ['read', 'trade', 'admin'],
    }),
  );

  app.post('/oauth/token', async (c) => {
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const grant = String(form.grant_type ?? '');
    const oauthError = (error: string, description: string, status: 400 | 401 = 400) =>
      c.json({ error, error_description: description }, status);
    try {
      if (grant === 'client_credentials') {
        const t = await auth.serviceToken(String(form.client_id ?? ''), String(form.client_secret ?? ''));
        return c.json({
          access_token: t.accessToken,
          token_type: 'Bearer',
          expires_in: t.expiresIn,
          scope: 'service',
        });
      }
      if (grant === 'refresh_token') {
        const t = await auth.refresh(String(form.refresh_token ?? ''));
        return c.json({
          access_token: t.accessToken,
          refresh_token: t.refreshToken,
          token_type: 'Bearer',
          expires_in: t.expiresIn,
          scope: t.user.scopes.join(' '),
        });
      }
      return oauthError('unsupported_grant_type', 'Supported grants: client_credentials, refresh_token');
    } catch (e) {
      if (e instanceof AppError && e.code === 'unauthenticated') {
        return oauthError(
          grant === 'client_credentials' ? 'invalid_client' : 'invalid_grant',
          e.message,
          grant === 'client_credentials' ? 401 : 400,
        );
      }
      throw e;
    }
  });

  app.post('/oauth/introspect', async (c) => {
    const caller = await verify(c.req.header('authorization'));
    if (caller.kind !== 'service')
      throw new AppError('forbidden', 'Introspection is for StockPulse services');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const principal = await auth.introspectApiKey(String(form.token ?? ''));
    if (!principal) return c.json({ active: false });
    return c.json({
      active: true,
      sub: principal.subject,
      scope: principal.scopes.join(' '),
      email: principal.email,
      token_type: 'api_key',
    });
  });
}
