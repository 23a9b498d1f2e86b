import { embeddedDir, migrate, openDatabase } from '@stockpulse/db';
import { DEMO_DISPLAY_NAME, DEMO_EMAIL, DEMO_USER_ID } from '@stockpulse/domain';
import { createVerifier, type Principal } from '@stockpulse/protocols/auth';
import { runMcpService } from '@stockpulse/protocols/runtime';
import { createLocalJWKSet } from 'jose';
import { AuthService } from './auth-service.js';
import { authRoutes } from './routes.js';
import { authServerSpec } from './server.js';
import { AUTH_MIGRATIONS } from './store/migrations.js';

await runMcpService('auth', async ({ config, logger }) => {
  const db = await openDatabase({
    url: config.stores.authUrl,
    dir: embeddedDir(config.dataDir, 'auth'),
    schema: 'auth',
  });
  const applied = await migrate(db, AUTH_MIGRATIONS);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const auth = new AuthService(db, { serviceSecret: config.serviceSecret });
  await auth.init();
  if (!config.serviceSecret)
    logger.warn('STOCKPULSE_SERVICE_SECRET is not set: service (client-credentials) tokens are disabled');
  if (config.demo.enabled) {
    await auth.ensureUser({
      id: DEMO_USER_ID,
      email: DEMO_EMAIL,
      password: config.demo.password,
      displayName: DEMO_DISPLAY_NAME,
    });
  }

  // The auth server verifies with its own keys (no HTTP round trip to itself); API keys from its own store.
  const baseVerify = createVerifier({
    authUrl: config.mcp.auth.url,
    introspectApiKey: (key) => auth.introspectApiKey(key),
  });
  const verify = async (authorization: string | null | undefined): Promise<Principal> => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (token && !token.startsWith('spk_')) {
      const { verifyJwt } = await import('@stockpulse/protocols/auth');
      return verifyJwt(token, createLocalJWKSet(await auth.jwks()));
    }
    return baseVerify(authorization);
  };

  return {
    spec: authServerSpec(auth),
    verify,
    routes: (app) => authRoutes(app, auth, config.mcp.auth.url, verify),
    health: async () => ({ backend: db.kind, signingKeys: (await auth.jwks()).keys.length }),
    close: () => db.close(),
  };
});
