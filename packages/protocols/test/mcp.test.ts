import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import {
  AppError,
  childContext,
  createLogger,
  createMetrics,
  createServiceApp,
  listen,
  type RunningServer,
  runWithTrace,
} from '@stockpulse/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AUTH_AUDIENCE, AUTH_ISSUER, createVerifier } from '../src/auth/index.js';
import {
  type AuditRecord,
  argsDigest,
  BoundedEventStore,
  canonicalJson,
  connectMcp,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
  jsonContents,
  type McpServerSpec,
  type McpToolClient,
  mountMcpHttp,
} from '../src/mcp/index.js';

const HOST = '127.0.0.1';
const silent = createLogger('mcp-test', 'silent');
const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';

// --- the spec under test ------------------------------------------------------------------------
const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const echo = defineTool({
  name: 'echo',
  title: 'Echo',
  description: 'Repeats `text` `times` times.',
  input: {
    text: z.string().min(1).describe('Text to repeat'),
    times: z.number().int().min(1).max(5).default(1),
  },
  output: { text: z.string(), length: z.number().int() },
  annotations: readOnly,
  handler: async ({ text, times }) => {
    const out = text.repeat(times);
    return { text: out, length: out.length };
  },
});

const whoami = defineTool({
  name: 'whoami',
  title: 'Who am I',
  description: 'The principal this call acts for.',
  input: z.object({ delayMs: z.number().int().min(0).max(500).optional() }),
  output: z.object({ subject: z.string(), userId: z.string().optional(), scopes: z.array(z.string()) }),
  annotations: readOnly,
  handler: async ({ delayMs }, { principal }) => {
    if (delayMs) await sleep(delayMs);
    return { subject: principal.subject, userId: principal.userId, scopes: principal.scopes };
  },
});

const danger = defineTool({
  name: 'place_danger',
  title: 'Place a dangerous order',
  description: 'Needs the trade scope.',
  input: { symbol: z.string() },
  output: { placed: z.boolean(), symbol: z.string() },
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  scope: 'trade',
  handler: async ({ symbol }) => ({ placed: true, symbol }),
});

const findThing = defineTool({
  name: 'find_thing',
  title: 'Find a thing',
  description: 'Always fails with not_found.',
  input: { name: z.string() },
  output: { name: z.string() },
  annotations: readOnly,
  handler: async ({ name }) => {
    throw new AppError('not_found', `No thing named '${name}'`);
  },
});

const explode = defineTool({
  name: 'explode',
  title: 'Explode',
  description: 'Fails with an unexpected error.',
  input: {},
  output: { ok: z.boolean() },
  annotations: readOnly,
  handler: async () => {
    throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db');
  },
});

const badOutput = defineTool({
  name: 'bad_output',
  title: 'Bad output',
  description: 'Returns something that does not match its output schema.',
  input: {},
  output: { count: z.number() },
  annotations: readOnly,
  handler: async () => ({ count: 'many' }) as unknown as { count: number },
});

const spec: McpServerSpec = {
  name: 'mcp-test',
  version: '1.2.3',
  title: 'MCP kit test server',
  instructions: 'Test server.',
  tools: [echo, whoami, danger, findThing, explode, badOutput],
  resources: [
    defineResource({
      name: 'universe',
      uri: 'stockpulse://test/universe',
      mimeType: 'application/json',
      read: async (uri, { principal }) =>
        jsonContents(uri, { symbols: ['AAPL', 'MSFT'], reader: principal.subject }),
    }),
  ],
  resourceTemplates: [
    defineResourceTemplate({
      name: 'thing',
      uriTemplate: 'stockpulse://test/things/{id}',
      mimeType: 'application/json',
      read: async (uri, { id }) => {
        if (id === 'missing') throw new AppError('not_found', 'No such thing');
        return jsonContents(uri, { id });
      },
    }),
  ],
  prompts: [
    definePrompt({
      name: 'brief',
      title: 'Brief',
      args: { symbol: z.string() },
      get: async ({ symbol }) => ({
        messages: [{ role: 'user', content: { type: 'text', text: `Brief me on ${symbol}` } }],
      }),
    }),
  ],
};

// --- a tiny auth server (JWKS only), the MCP server, tokens -----------------------------------------
let authServer: RunningServer;
let mcpServer: RunningServer;
let closeSessions: () => Promise<void>;
const audits: AuditRecord[] = [];
const tokens: Record<'alice' | 'bob' | 'expired', string> = { alice: '', bob: '', expired: '' };
const bearer = (t: string) => `Bearer ${t}`;

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const authApp = createServiceApp({
    name: 'test-auth',
    logger: silent,
    metrics: createMetrics('test-auth'),
  });
  authApp.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
  authServer = await listen(authApp, { port: 0, host: HOST });
  const sign = (sub: string, scope: string, exp: string | number = '10m') =>
    new SignJWT({ scope, email: `${sub}@example.com` })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setSubject(sub)
      .setIssuer(AUTH_ISSUER)
      .setAudience(AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(privateKey);
  tokens.alice = await sign(ALICE, 'read');
  tokens.bob = await sign(BOB, 'read trade');
  tokens.expired = await sign(ALICE, 'read', Math.floor(Date.now() / 1000) - 60);

  const metrics = createMetrics('mcp-test');
  const app = createServiceApp({ name: 'mcp-test', logger: silent, metrics });
  mcpServer = await listen(app, { port: 0, host: HOST });
  closeSessions = mountMcpHttp(app, spec, {
    verify: createVerifier({ authUrl: authServer.url }),
    logger: silent,
    metrics,
    onAudit: (rec) => {
      audits.push(rec);
    },
    resourceUrl: mcpServer.url,
    authorizationServers: [authServer.url],
  });
});

afterAll(async () => {
  await closeSessions?.();
  await mcpServer?.close();
  await authServer?.close();
});

/** A plain SDK client whose every request carries one token. */
async function sdkClient(token: string) {
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', mcpServer.url), {
    requestInit: { headers: { authorization: bearer(token) } },
  });
  const client = new Client({ name: 'sdk-test', version: '0.0.0' });
  await client.connect(transport);
  return { client, transport };
}

function toolErrorBody(result: CallToolResult) {
  expect(result.isError).toBe(true);
  const first = result.content[0];
  return JSON.parse(first?.type === 'text' ? first.text : '') as { error: { code: string; message: string } };
}

describe('MCP over Streamable HTTP, plain SDK client', () => {
  let sdk: Awaited<ReturnType<typeof sdkClient>>;
  beforeAll(async () => {
    sdk = await sdkClient(tokens.alice);
  });
  afterAll(async () => {
    await sdk.transport.terminateSession();
    await sdk.client.close();
  });

  it('negotiates the latest protocol and a session', () => {
    expect(sdk.transport.protocolVersion).toBe('2025-11-25');
    expect(sdk.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sdk.client.getServerVersion()).toMatchObject({
      name: 'mcp-test',
      version: '1.2.3',
      title: 'MCP kit test server',
    });
    expect(sdk.client.getInstructions()).toBe('Test server.');
  });

  it('lists tools with title, annotations, input and output schemas', async () => {
    const { tools } = await sdk.client.listTools();
    expect(tools.map((t) => t.name)).toEqual(spec.tools.map((t) => t.name));
    const listed = tools.find((t) => t.name === 'echo')!;
    expect(listed.title).toBe('Echo');
    expect(listed.annotations).toEqual({ title: 'Echo', ...readOnly });
    expect(listed.inputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string', minLength: 1, description: 'Text to repeat' } },
      required: ['text'],
    });
    expect(listed.outputSchema).toMatchObject({
      type: 'object',
      properties: { text: { type: 'string' }, length: { type: 'integer' } },
    });
    expect(tools.find((t) => t.name === 'place_danger')!.annotations).toMatchObject({
      destructiveHint: true,
    });
  });

  it('returns structuredContent that validates against the declared output schema', async () => {
    const result = (await sdk.client.callTool({
      name: 'echo',
      arguments: { text: 'ab', times: 2 },
    })) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(echo.outputSchema.parse(result.structuredContent)).toEqual({ text: 'abab', length: 4 });
    expect(result.content).toEqual([{ type: 'text', text: JSON.stringify({ text: 'abab', length: 4 }) }]);
  });

  it('turns an AppError into a tool error with its code', async () => {
    const result = (await sdk.client.callTool({
      name: 'find_thing',
      arguments: { name: 'x' },
    })) as CallToolResult;
    expect(toolErrorBody(result)).toEqual({ error: { code: 'not_found', message: "No thing named 'x'" } });
  });

  it('answers forbidden when the caller lacks the scope', async () => {
    const result = (await sdk.client.callTool({
      name: 'place_danger',
      arguments: { symbol: 'AAPL' },
    })) as CallToolResult;
    expect(toolErrorBody(result).error).toEqual({
      code: 'forbidden',
      message: "Tool 'place_danger' needs the 'trade' scope",
    });
  });

  it('hides unexpected errors and invalid results behind internal', async () => {
    const boom = (await sdk.client.callTool({ name: 'explode', arguments: {} })) as CallToolResult;
    expect(toolErrorBody(boom).error).toEqual({ code: 'internal', message: 'Internal error' });
    expect(JSON.stringify(boom)).not.toMatch(/hunter2|at .*\.ts/);
    const bad = (await sdk.client.callTool({ name: 'bad_output', arguments: {} })) as CallToolResult;
    expect(toolErrorBody(bad).error).toEqual({
      code: 'internal',
      message: "Tool 'bad_output' produced an invalid result",
    });
  });

  it('rejects invalid arguments as an isError result naming the field (SDK 1.32 behaviour)', async () => {
    const result = (await sdk.client.callTool({ name: 'echo', arguments: { text: 5 } })) as CallToolResult;
    expect(result.isError).toBe(true);
    const first = result.content[0];
    const text = first?.type === 'text' ? first.text : '';
    expect(text).toMatch(/^MCP error -32602: Input validation error: Invalid arguments for tool echo: /);
    expect(text).toMatch(/expected string, received number at text/);
  });

  it('reads resources and templates, and gets prompts', async () => {
    const { resources } = await sdk.client.listResources();
    expect(resources.map((r) => r.uri)).toContain('stockpulse://test/universe');
    const read = await sdk.client.readResource({ uri: 'stockpulse://test/universe' });
    const first = read.contents[0] as { text: string };
    expect(JSON.parse(first.text)).toEqual({ symbols: ['AAPL', 'MSFT'], reader: ALICE });
    const prompt = await sdk.client.getPrompt({ name: 'brief', arguments: { symbol: 'NVDA' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Brief me on NVDA' });
  });
});

describe('MCP over Streamable HTTP, HTTP edge', () => {
  const initialize = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${mcpServer.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body: JSON.stringify(initialize),
    });

  it('answers 401 with an RFC 9728 WWW-Authenticate when the token is missing or invalid', async () => {
    const metadataUrl = `${mcpServer.url}/.well-known/oauth-protected-resource`;
    const missing = await post({});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${metadataUrl}"`);
    expect(await missing.json()).toEqual({
      error: { code: 'unauthenticated', message: 'Missing bearer token' },
    });

    for (const token of ['not-a-jwt', tokens.expired]) {
      const refused = await post({ authorization: bearer(token) });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(
        new RegExp(
          `^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="${metadataUrl}"$`,
        ),
      );
    }
  });

  it('streams responses as SSE events with ids a client can resume from', async () => {
    const res = await post({ authorization: bearer(tokens.alice) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = await res.text();
    expect(body).toMatch(/^id: \d+\ndata: \n/m); // priming event (2025-11-25 resumability)
    expect(body).toMatch(/^event: message\nid: \d+\ndata: \{.*"protocolVersion":"2025-11-25"/m);
  });

  it('checks the token on every request of an open session, not just the first', async () => {
    const { client, transport } = await sdkClient(tokens.alice);
    const res = await fetch(`${mcpServer.url}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': transport.sessionId!,
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    await client.close();
  });

  it('answers 404 for an unknown session and 400 for a GET without one', async () => {
    const unknown = await fetch(`${mcpServer.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: bearer(tokens.alice),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': '00000000-0000-4000-8000-000000000000',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: -32001, message: 'Session not found' } });
    const get = await fetch(`${mcpServer.url}/mcp`, {
      headers: { authorization: bearer(tokens.alice), accept: 'text/event-stream' },
    });
    expect(get.status).toBe(400);
  });

  it('ends a session on DELETE', async () => {
    const { client, transport } = await sdkClient(tokens.alice);
    const sessionId = transport.sessionId!;
    await transport.terminateSession();
    await client.close();
    const after = await fetch(`${mcpServer.url}/mcp`, {
      method: 'POST',
      headers: {
        authorization: bearer(tokens.alice),
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sessionId,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    expect(after.status).toBe(404);
  });

  it('closes idle sessions and the least recently used beyond the limit', async () => {
    const metrics = createMetrics('mcp-evict');
    const app = createServiceApp({ name: 'mcp-evict', logger: silent, metrics });
    const server = await listen(app, { port: 0, host: HOST });
    const close = mountMcpHttp(app, spec, {
      verify: createVerifier({ authUrl: authServer.url }),
      logger: silent,
      metrics,
      resourceUrl: server.url,
      authorizationServers: [authServer.url],
      sessionIdleMs: 200,
      maxSessions: 1,
    });
    const open = async () => {
      const transport = new StreamableHTTPClientTransport(new URL('/mcp', server.url), {
        requestInit: { headers: { authorization: bearer(tokens.alice) } },
      });
      const client = new Client({ name: 'evict-test', version: '0' });
      await client.connect(transport);
      return client;
    };
    try {
      const first = await open();
      const second = await open(); // over the limit of 1: the first is closed
      await expect(first.listTools()).rejects.toThrow(/404|Session not found/);
      await expect(second.listTools()).resolves.toBeDefined();
      await sleep(700); // idle beyond 200 ms: swept
      await expect(second.listTools()).rejects.toThrow(/404|Session not found/);

      // The kit client notices and opens a fresh session by itself.
      const kit = connectMcp(server.url, { name: 'evict-kit' });
      const auth = { authorization: bearer(tokens.alice) };
      await kit.call('whoami', {}, auth);
      await sleep(700);
      await expect(kit.call('whoami', {}, auth)).resolves.toMatchObject({ subject: ALICE });
      await Promise.all([first.close(), second.close(), kit.close()]);
    } finally {
      await close();
      await server.close();
    }
  });

  it('serves protected-resource metadata at both well-known paths', async () => {
    for (const path of [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const res = await fetch(`${mcpServer.url}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        resource: mcpServer.url,
        authorization_servers: [authServer.url],
        scopes_supported: ['read', 'trade', 'admin'],
        bearer_methods_supported: ['header'],
        resource_name: 'MCP kit test server',
      });
    }
  });
});

describe('McpToolClient', () => {
  let client: McpToolClient;
  beforeAll(() => {
    client = connectMcp(mcpServer.url, { name: 'kit-test' });
  });
  afterAll(async () => {
    await client.close();
  });

  it('calls a tool and returns its structured result', async () => {
    const out = await client.call<{ text: string; length: number }>(
      'echo',
      { text: 'hi', times: 3 },
      { authorization: bearer(tokens.alice) },
    );
    expect(out).toEqual({ text: 'hihihi', length: 6 });
  });

  it('carries each call as its own user on one shared session, even concurrently', async () => {
    const before = audits.length;
    const [a, b, a2] = await Promise.all([
      client.call<{ subject: string }>('whoami', { delayMs: 60 }, { authorization: bearer(tokens.alice) }),
      client.call<{ subject: string }>('whoami', { delayMs: 20 }, { authorization: bearer(tokens.bob) }),
      client.call<{ subject: string }>('whoami', {}, { authorization: bearer(tokens.alice) }),
    ]);
    expect([a.subject, b.subject, a2.subject]).toEqual([ALICE, BOB, ALICE]);
    const recs = audits.slice(before).filter((r) => r.tool === 'whoami');
    expect(new Set(recs.map((r) => r.sessionId)).size).toBe(1);
    expect(recs.map((r) => r.principal).sort()).toEqual([ALICE, ALICE, BOB].sort());

    await expect(
      client.call('place_danger', { symbol: 'AAPL' }, { authorization: bearer(tokens.alice) }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      client.call('place_danger', { symbol: 'AAPL' }, { authorization: bearer(tokens.bob) }),
    ).resolves.toEqual({ placed: true, symbol: 'AAPL' });
  });

  it('throws AppErrors: tool codes, bad arguments, bad credentials', async () => {
    const auth = { authorization: bearer(tokens.alice) };
    const notFound = await client.call('find_thing', { name: 'y' }, auth).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(AppError);
    expect(notFound).toMatchObject({ code: 'not_found', message: "No thing named 'y'" });

    const invalid = await client.call('echo', { text: '' }, auth).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ code: 'bad_request' });
    expect((invalid as AppError).message).toMatch(/at text/);

    await expect(client.call('no_such_tool', {}, auth)).rejects.toMatchObject({ code: 'not_found' });
    await expect(client.call('whoami', {}, { authorization: bearer(tokens.expired) })).rejects.toMatchObject({
      code: 'unauthenticated',
      message: 'Access token expired',
    });
    await expect(client.call('whoami', {})).rejects.toMatchObject({ code: 'unauthenticated' });
    // the session survives a refused request
    await expect(client.call('whoami', {}, auth)).resolves.toMatchObject({ subject: ALICE });
  });

  it('lists tools and reads resources, mapping resource errors to codes', async () => {
    const auth = { authorization: bearer(tokens.bob) };
    expect((await client.listTools(auth)).map((t) => t.name)).toContain('place_danger');
    const res = await client.readResource('stockpulse://test/things/42', auth);
    expect(JSON.parse((res.contents[0] as { text: string }).text)).toEqual({ id: '42' });
    await expect(client.readResource('stockpulse://test/things/missing', auth)).rejects.toMatchObject({
      code: 'not_found',
      message: 'No such thing',
    });
  });

  it('opens a new session when the server lost the old one', async () => {
    const auth = { authorization: bearer(tokens.alice) };
    await client.call('whoami', {}, auth);
    const first = audits.at(-1)!.sessionId;
    await closeSessions();
    await expect(client.call('whoami', {}, auth)).resolves.toMatchObject({ subject: ALICE });
    const second = audits.at(-1)!.sessionId;
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
  });

  it("joins the caller's trace (traceparent on every call)", async () => {
    const trace = childContext();
    await runWithTrace(trace, () => client.call('whoami', {}, { authorization: bearer(tokens.alice) }));
    expect(audits.at(-1)).toMatchObject({ tool: 'whoami', traceId: trace.traceId });
  });

  it('uses the session credential for calls without their own', async () => {
    const service = connectMcp(mcpServer.url, {
      name: 'svc',
      sessionAuthorization: () => bearer(tokens.bob),
    });
    await expect(service.call('whoami', {})).resolves.toMatchObject({ subject: BOB });
    await expect(service.call('whoami', {}, { authorization: bearer(tokens.alice) })).resolves.toMatchObject({
      subject: ALICE,
    });
    await service.close();
  });

  it('reports an unreachable server as unavailable', async () => {
    const dead = connectMcp('http://127.0.0.1:9', { name: 'dead' });
    await expect(dead.call('whoami', {}, { authorization: bearer(tokens.alice) })).rejects.toMatchObject({
      code: 'unavailable',
    });
    await dead.close();
  });
});

describe('audit and metrics', () => {
  it('audits every call with a digest of its arguments', async () => {
    const rec = audits.find((r) => r.tool === 'echo' && r.outcome === 'ok')!;
    expect(rec).toMatchObject({ server: 'mcp-test', principal: ALICE, userId: ALICE, outcome: 'ok' });
    expect(rec.argsDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(rec.durationMs).toBeGreaterThanOrEqual(0);
    expect(Number.isNaN(Date.parse(rec.at))).toBe(false);
    expect(rec.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(
      audits.some((r) => r.tool === 'place_danger' && r.outcome === 'forbidden' && r.principal === ALICE),
    ).toBe(true);
    expect(audits.some((r) => r.tool === 'explode' && r.outcome === 'internal')).toBe(true);

    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
    expect(argsDigest({ text: 'hi', times: 3 })).toBe(argsDigest({ times: 3, text: 'hi' }));
    expect(argsDigest({ text: 'hi', times: 3 })).toBe(
      createHash('sha256').update('{"text":"hi","times":3}').digest('hex'),
    );
  });

  it('counts calls in Prometheus', async () => {
    const text = await (await fetch(`${mcpServer.url}/metrics`)).text();
    expect(text).toMatch(
      /mcp_tool_calls_total\{[^}]*server="mcp-test",tool="echo",outcome="ok"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(/mcp_tool_calls_total\{[^}]*tool="place_danger",outcome="forbidden"[^}]*\} [1-9]/);
    expect(text).toMatch(
      /mcp_tool_duration_seconds_count\{[^}]*server="mcp-test",tool="whoami"[^}]*\} [1-9]/,
    );
  });
});

describe('BoundedEventStore', () => {
  it('replays the events after a cursor on the same stream, within its capacity', async () => {
    const store = new BoundedEventStore(4);
    const msg = (id: number) => ({ jsonrpc: '2.0' as const, id, result: {} });
    const a1 = await store.storeEvent('a', {} as never); // priming event: a cursor, nothing to replay
    await store.storeEvent('a', msg(1));
    await store.storeEvent('b', msg(2));
    await store.storeEvent('a', msg(3));
    const replayed: unknown[] = [];
    expect(await store.replayEventsAfter(a1, { send: async (_id, m) => void replayed.push(m) })).toBe('a');
    expect(replayed).toEqual([msg(1), msg(3)]);
    await store.storeEvent('a', msg(4)); // evicts the oldest (a1)
    expect(store.size).toBe(4);
    expect(await store.getStreamIdForEventId(a1)).toBeUndefined();
  });
});

describe('MCP over stdio', () => {
  it('lists and calls tools on a child process, with nothing but protocol on stdout', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/stdio-server.ts', import.meta.url));
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', fixture],
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const client = new Client({ name: 'stdio-test', version: '0.0.0' });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['echo', 'whoami']);
      const echoed = (await client.callTool({
        name: 'echo',
        arguments: { text: 'over stdio' },
      })) as CallToolResult;
      expect(echoed.structuredContent).toEqual({ text: 'over stdio' });
      const me = (await client.callTool({ name: 'whoami', arguments: {} })) as CallToolResult;
      expect(me.structuredContent).toEqual({ subject: 'local-user', via: 'stdio' });
    } finally {
      await client.close();
    }
    expect(stderr).toContain('this line must go to stderr');
    expect(stderr).toContain('mcp server listening on stdio');
    expect(stderr).toContain('"outcome":"ok"');
  }, 30_000);
});
