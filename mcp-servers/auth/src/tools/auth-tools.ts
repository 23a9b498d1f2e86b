import { AppError } from '@stockpulse/core';
import { hasScope, requireScope, requireUser, SCOPES } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { AuthService } from '../auth-service.js';

const scope = z.enum(SCOPES);
const userScope = z.enum(['read', 'trade', 'admin']);
const user = z.object({
  id: z.string().uuid(),
  email: z.string(),
  displayName: z.string(),
  scopes: z.array(scope),
});
const tokenPair = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int(),
  user,
});
const hints = (readOnly: boolean, destructive = false, idempotent = readOnly) =>
  ({
    readOnlyHint: readOnly,
    destructiveHint: destructive,
    idempotentHint: idempotent,
    openWorldHint: false,
  }) as const;

/** Login and refresh act for anonymous people, so only StockPulse's own services (the gateway) may call them. */
const requireService = (p: { kind: string }) => {
  if (p.kind !== 'service') throw new AppError('forbidden', 'Only a StockPulse service may call this tool');
};

export function authTools(auth: AuthService) {
  return [
    defineTool({
      name: 'login',
      title: 'Log in',
      description:
        'Exchange an email and password for an access token (15 min) and a rotating refresh token (7 days). Service callers only.',
      input: { email: z.string().email().max(254), password: z.string().min(1).max(1024) },
      output: tokenPair.shape,
      annotations: hints(false),
      scope: 'service',
      handler: async ({ email, password }, ctx) => {
        requireService(ctx.principal);
        return auth.login(email, password);
      },
    }),
    defineTool({
      name: 'refresh_token',
      title: 'Refresh tokens',
      description:
        'Rotate a refresh token into a new token pair. Reusing an already-rotated token revokes the whole session. Service callers only.',
      input: { refreshToken: z.string().min(10).max(200) },
      output: tokenPair.shape,
      annotations: hints(false),
      scope: 'service',
      handler: async ({ refreshToken }, ctx) => {
        requireService(ctx.principal);
        return auth.refresh(refreshToken);
      },
    }),
    defineTool({
      name: 'logout',
      title: 'Log out',
      description: 'Revoke the session (refresh-token family) a refresh token belongs to. Idempotent.',
      input: { refreshToken: z.string().min(10).max(200) },
      output: { revoked: z.number().int() },
      annotations: hints(false, true, true),
      scope: 'service',
      handler: async ({ refreshToken }, ctx) => {
        requireService(ctx.principal);
        return auth.logout(refreshToken);
      },
    }),
    defineTool({
      name: 'whoami',
      title: 'Who am I',
      description: 'The authenticated principal: user id, email, scopes and how the caller authenticated.',
      input: {},
      output: {
        kind: z.enum(['user', 'service']),
        subject: z.string(),
        userId: z.string().nullable(),
        email: z.string().nullable(),
        scopes: z.array(scope),
        via: z.enum(['jwt', 'api_key', 'stdio']),
      },
      annotations: hints(true),
      handler: async (_args, { principal }) => ({
        kind: principal.kind,
        subject: principal.subject,
        userId: principal.userId ?? null,
        email: principal.email ?? null,
        scopes: principal.scopes,
        via: principal.via,
      }),
    }),
    defineTool({
      name: 'check_permission',
      title: 'Check permission',
      description: "Whether the caller holds a scope, e.g. 'trade' before proposing an order.",
      input: { scope },
      output: { scope, allowed: z.boolean() },
      annotations: hints(true),
      handler: async ({ scope }, { principal }) => ({ scope, allowed: hasScope(principal, scope) }),
    }),
    defineTool({
      name: 'create_api_key',
      title: 'Create API key',
      description:
        'Create an API key for the caller with the given scopes (at most the scopes the caller holds). The key is ' +
        'shown once; only its hash is stored.',
      input: {
        name: z.string().trim().min(1).max(80),
        scopes: z.array(userScope).min(1),
        expiresInDays: z.number().int().min(1).max(365).optional(),
      },
      output: {
        id: z.string().uuid(),
        key: z.string(),
        prefix: z.string(),
        scopes: z.array(scope),
        expiresAt: z.string().nullable(),
      },
      annotations: hints(false),
      handler: async (input, { principal }) => {
        if (principal.via === 'api_key')
          throw new AppError('forbidden', 'An API key cannot mint further API keys');
        return auth.createApiKey(requireUser(principal), { ...input, scopes: [...new Set(input.scopes)] });
      },
    }),
    defineTool({
      name: 'list_api_keys',
      title: 'List API keys',
      description:
        "The caller's API keys (prefix, scopes, expiry, revoked, last use). Never the keys themselves.",
      input: {},
      output: {
        keys: z.array(
          z.object({
            id: z.string().uuid(),
            name: z.string(),
            prefix: z.string(),
            scopes: z.array(scope),
            createdAt: z.string(),
            expiresAt: z.string().nullable(),
            revoked: z.boolean(),
            lastUsedAt: z.string().nullable(),
          }),
        ),
      },
      annotations: hints(true),
      handler: async (_a, { principal }) => ({ keys: await auth.listApiKeys(requireUser(principal)) }),
    }),
    defineTool({
      name: 'revoke_api_key',
      title: 'Revoke API key',
      description:
        'Revoke one of the caller’s API keys by id. It stops working at once (cached lookups expire within 30 s).',
      input: { id: z.string().uuid() },
      output: { id: z.string().uuid(), revoked: z.literal(true) },
      annotations: hints(false, true, false),
      handler: async ({ id }, { principal }) => {
        await auth.revokeApiKey(requireUser(principal), id);
        return { id, revoked: true as const };
      },
    }),
    defineTool({
      name: 'rotate_signing_key',
      title: 'Rotate signing key',
      description:
        'Start signing tokens with a new key. The old key stays in the JWKS until its tokens have expired. Admin only.',
      input: {},
      output: { kid: z.string() },
      annotations: hints(false),
      scope: 'admin',
      handler: async (_a, { principal }) => {
        requireScope(principal, 'admin');
        return auth.rotateSigningKey();
      },
    }),
  ];
}
