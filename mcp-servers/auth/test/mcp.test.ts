import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLogger, createMetrics, createServiceApp, listen } from '@stockpulse/core';
import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import { createVerifier, type Principal, verifyJwt } from '@stockpulse/protocols/auth';
import { type McpServerSpec, mountMcpHttp } from '@stockpulse/protocols/mcp';
import { createLocalJWKSet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthService } from '../src/auth-service.js';
import { authServerSpec } from '../src/server.js';
import { AUTH_MIGRATIONS } from '../src/store/migrations.js';

const HOST = '127.0.0.1';
const SECRET = 'service-secret-for-mcp-tests-0123456789';
const silent = createLogger('mcp-auth-test', 'silent');
const ALL_TOOLS = [
  'login',
  'refresh_token',
  'logout',
  'whoami',
  'check_permission',
  'create_api_key',
  'list_api_keys',
  'revoke_api_key',
  'rotate_signing_key',
];
const [, backend] = testBackends('auth')[0]!; // embedded PGlite in a temp dir

let db: Database;
let auth: AuthService;
let spec: McpServerSpec;
let close: () => Promise<void>;
let url: string;
const ids = { ann: '', bob: '' };
const tokens = { ann: '', bob: '', service: '' };
const clients: Client[] = [];

beforeAll(async () => {
  db = await backend.open();
  await migrate(db, AUTH_MIGRATIONS);
  auth = new AuthService(db, { serviceSecret: SECRET });
  await auth.init();
  ids.ann = (
    await auth.createUser({ email: 'ann@example.com', password: 'ann-password', displayName: 'Ann' })
  ).id;
  ids.bob = (
    await auth.createUser({ email: 'bob@example.com', password: 'bob-password', displayName: 'Bob' })
  ).id;
  tokens.ann = (await auth.login('ann@example.com', 'ann-password')).accessToken;
  tokens.bob = (await auth.login('bob@example.com', 'bob-password')).accessToken;
  tokens.service = (await auth.serviceToken('gateway', SECRET)).accessToken;

  // Verify the way main.ts does: own keys for JWTs, own store for API keys.
  const metrics = createMetrics('mcp-auth-test');
  const app = createServiceApp({ name: 'mcp-auth-test', logger: silent, metrics });
  const server = await listen(app, { port: 0, host: HOST });
  const baseVerify = createVerifier({
    authUrl: server.url,
    introspectApiKey: (key) => auth.introspectApiKey(key),
  });
  const verify = async (authorization: string | null | undefined): Promise<Principal> => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (token && !token.startsWith('spk_')) return verifyJwt(token, createLocalJWKSet(await auth.jwks()));
    return baseVerify(authorization);
  };
  spec = authServerSpec(auth);
  const closeSessions = mountMcpHttp(app, spec, {
    verify,
    logger: silent,
    metrics,
    resourceUrl: server.url,
    authorizationServers: [server.url],
  });
  url = server.url;
  close = async () => {
    await closeSessions();
    await server.close();
  };
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await close?.();
  await db?.close();
  await backend.cleanup();
});

async function connect(token: string) {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', url), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'mcp-auth-test', version: '0.0.0' });
  await client.connect(transport);
  clients.push(client);
  return client;
}

/** Call a tool, expect success, and check its structuredContent against the tool's declared schema. */
async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const tool = spec.tools.find((t) => t.name === name)!;
  return tool.outputSchema.parse(result.structuredContent) as Record<string, unknown>;
}

async function callError(client: Client, name: string, args: Record<string, unknown> = {}) {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

function errorCode(text: string): string {
  return (JSON.parse(text) as { error: { code: string } }).error.code;
}

describe('auth MCP server over Streamable HTTP (PGlite)', () => {
  let ann: Client;
  let bob: Client;
  let service: Client;
  beforeAll(async () => {
    [ann, bob, service] = await Promise.all([
      connect(tokens.ann),
      connect(tokens.bob),
      connect(tokens.service),
    ]);
  });

  it('lists every tool with an output schema and annotations', async () => {
    const { tools } = await ann.listTools();
    expect(tools.map((t) => t.name)).toEqual(ALL_TOOLS);
    for (const t of tools) {
      expect(t.outputSchema?.type, t.name).toBe('object');
      expect(t.annotations, t.name).toBeDefined();
      expect(t.annotations?.openWorldHint, t.name).toBe(false);
      expect(typeof t.annotations?.readOnlyHint, t.name).toBe('boolean');
    }
    const readOnly = tools.filter((t) => t.annotations?.readOnlyHint).map((t) => t.name);
    expect(readOnly).toEqual(['whoami', 'check_permission', 'list_api_keys']);
  });

  it('whoami answers for each caller', async () => {
    expect(await call(ann, 'whoami')).toEqual({
      kind: 'user',
      subject: ids.ann,
      userId: ids.ann,
      email: 'ann@example.com',
      scopes: ['read', 'trade'],
      via: 'jwt',
    });
    expect(await call(bob, 'whoami')).toMatchObject({
      kind: 'user',
      userId: ids.bob,
      email: 'bob@example.com',
    });
    // A service token carries only the 'service' scope, and whoami (like every default tool) needs 'read'.
    expect(errorCode(await callError(service, 'whoami'))).toBe('forbidden');
    expect(await call(ann, 'check_permission', { scope: 'admin' })).toEqual({
      scope: 'admin',
      allowed: false,
    });
  });

  it('login is for services only', async () => {
    const refused = await callError(ann, 'login', { email: 'ann@example.com', password: 'ann-password' });
    expect(errorCode(refused)).toBe('forbidden');
    const pair = await call(service, 'login', { email: 'ann@example.com', password: 'ann-password' });
    expect(pair).toMatchObject({ tokenType: 'Bearer', user: { id: ids.ann, email: 'ann@example.com' } });
    const principal = await verifyJwt(pair.accessToken as string, createLocalJWKSet(await auth.jwks()));
    expect(principal.userId).toBe(ids.ann);
    const wrong = await callError(service, 'login', { email: 'ann@example.com', password: 'nope' });
    expect(errorCode(wrong)).toBe('unauthenticated');
  });

  it("creates and lists API keys per user; B cannot revoke A's key", async () => {
    const annKey = await call(ann, 'create_api_key', { name: 'ann laptop', scopes: ['read'] });
    expect(annKey).toMatchObject({ scopes: ['read'], expiresAt: null });
    expect(annKey.key as string).toMatch(/^spk_/);
    const bobKey = await call(bob, 'create_api_key', {
      name: 'bob ci',
      scopes: ['read', 'trade'],
      expiresInDays: 7,
    });

    const annList = (await call(ann, 'list_api_keys')).keys as Array<{ id: string }>;
    expect(annList.map((k) => k.id)).toEqual([annKey.id]);
    const bobList = (await call(bob, 'list_api_keys')).keys as Array<{ id: string }>;
    expect(bobList.map((k) => k.id)).toEqual([bobKey.id]);
    expect(JSON.stringify(annList)).not.toContain(annKey.key as string);

    const steal = await callError(bob, 'revoke_api_key', { id: annKey.id });
    expect(errorCode(steal)).toBe('not_found');
    expect(await auth.introspectApiKey(annKey.key as string)).toMatchObject({
      userId: ids.ann,
      via: 'api_key',
    });

    // The key itself works as a credential, but cannot mint more keys.
    const viaKey = await connect(annKey.key as string);
    expect(await call(viaKey, 'whoami')).toMatchObject({ userId: ids.ann, via: 'api_key', scopes: ['read'] });
    const mint = await callError(viaKey, 'create_api_key', { name: 'more', scopes: ['read'] });
    expect(errorCode(mint)).toBe('forbidden');

    // Its owner can revoke it; then it stops working.
    expect(await call(ann, 'revoke_api_key', { id: annKey.id })).toEqual({ id: annKey.id, revoked: true });
    expect(await auth.introspectApiKey(annKey.key as string)).toBeUndefined();
  });

  it('refuses scopes the caller does not hold, and admin-only tools', async () => {
    expect(errorCode(await callError(ann, 'create_api_key', { name: 'x', scopes: ['admin'] }))).toBe(
      'forbidden',
    );
    expect(errorCode(await callError(ann, 'rotate_signing_key'))).toBe('forbidden');
  });

  it('rejects invalid input cleanly, naming the field', async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['create_api_key', { name: '', scopes: ['read'] }, /name/],
      ['create_api_key', { name: 'k', scopes: [] }, /scopes/],
      ['create_api_key', { name: 'k', scopes: ['service'] }, /scopes/],
      ['create_api_key', { name: 'k', scopes: ['read'], expiresInDays: 366 }, /expiresInDays/],
      ['revoke_api_key', { id: 'not-a-uuid' }, /id/],
      ['check_permission', { scope: 'root' }, /scope/],
      ['login', { email: 'not-an-email', password: 'x' }, /email/],
    ];
    for (const [name, args, field] of cases) {
      const caller = name === 'login' ? service : ann;
      const text = await callError(caller, name, args);
      expect(text, name).toMatch(/^MCP error -32602: Input validation error/);
      expect(text, name).toMatch(field);
    }
  });
});
