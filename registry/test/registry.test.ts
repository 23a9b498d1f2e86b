import type { AgentCard } from '@a2a-js/sdk';
import { createLogger, createMetrics, createServiceApp, listen, type RunningServer } from '@stockpulse/core';
import {
  AUTH_AUDIENCE,
  AUTH_ISSUER,
  type CredentialVerifier,
  createVerifier,
} from '@stockpulse/protocols/auth';
import {
  discoverBySkill,
  keepRegistered,
  pickAgent,
  RegistryClient,
  type RegistryEntry,
} from '@stockpulse/protocols/registry';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRegistryApp, type RegistryApp } from '../src/app.js';

const silent = createLogger('registry-test', 'silent');
const HOST = '127.0.0.1';

// --- a tiny auth server: just the JWKS the real verifier fetches ---------------------------------
let authServer: RunningServer;
let verify: CredentialVerifier;
let serviceToken: string;
let userToken: string;

async function startAuth() {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const app = createServiceApp({ name: 'test-auth', logger: silent, metrics: createMetrics('test-auth') });
  app.get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
  authServer = await listen(app, { port: 0, host: HOST });
  const sign = (sub: string, scope: string) =>
    new SignJWT({ scope })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject(sub)
      .setIssuer(AUTH_ISSUER)
      .setAudience(AUTH_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  serviceToken = await sign('service:portfolio-manager', 'service');
  userToken = await sign('5b0f3c1e-8f0a-4d6b-9c3e-2a7d1e4f6a90', 'read');
  verify = createVerifier({ authUrl: authServer.url });
}

// --- a tiny agent: serves its card (and a few things that are not cards) -------------------------
let agentServer: RunningServer;

function portfolioCard(origin: string): AgentCard {
  return {
    name: 'Portfolio Manager',
    description: 'Analyses portfolios, risk and rebalancing; plans orders.',
    version: '1.2.0',
    supportedInterfaces: [
      { url: `${origin}/a2a/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0', tenant: '' },
    ],
    provider: { organization: 'StockPulse', url: 'https://stockpulse.example' },
    capabilities: { streaming: true, pushNotifications: true, extensions: [] },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain', 'application/json'],
    defaultOutputModes: ['text/plain', 'application/json'],
    skills: [
      {
        id: 'portfolio.analyze',
        name: 'Analyze portfolio',
        description: 'Performance, allocation and concentration of a portfolio.',
        tags: ['portfolio', 'Risk'],
        examples: ['How is my portfolio doing?'],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
      {
        id: 'portfolio.rebalance',
        name: 'Rebalance',
        description: 'Proposes orders that bring a portfolio back to its targets.',
        tags: ['portfolio', 'orders'],
        examples: [],
        inputModes: [],
        outputModes: [],
        securityRequirements: [],
      },
    ],
    signatures: [],
  };
}

/** A card as an agent might send it in the body: plain JSON, empty lists left out (ProtoJSON style). */
function researchCard(url: string, name = 'Market Research') {
  return {
    name,
    description: 'News and fundamentals research on listed companies.',
    version: '0.4.0',
    supportedInterfaces: [{ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/markdown'],
    skills: [
      {
        id: 'research.news',
        name: 'News digest',
        description: 'Summarises recent news for a ticker.',
        tags: ['news'],
      },
    ],
  };
}

async function startAgent() {
  const app = createServiceApp({ name: 'test-agent', logger: silent, metrics: createMetrics('test-agent') });
  app.get('/.well-known/agent-card.json', (c) => c.json(portfolioCard(new URL(c.req.url).origin)));
  app.get('/html', (c) => c.html('<!doctype html><html><body>Not a card</body></html>'));
  app.get('/not-json', (c) => c.body('{"name": ', 200, { 'content-type': 'application/json' }));
  app.get('/bad-card.json', (c) => c.json({ name: 'Half a card', skills: [{ name: 'no id' }] }));
  agentServer = await listen(app, { port: 0, host: HOST });
}

const cardUrl = () => `${agentServer.url}/.well-known/agent-card.json`;

// --- the registry under test ---------------------------------------------------------------------
interface RunningRegistry extends RegistryApp {
  server: RunningServer;
  url: string;
  stop(): Promise<void>;
}

async function startRegistry(port = 0): Promise<RunningRegistry> {
  const registry = createRegistryApp({
    logger: silent,
    metrics: createMetrics('registry'),
    verify,
    sweepIntervalMs: 100,
  });
  const server = await listen(registry.app, { port, host: HOST });
  return {
    ...registry,
    server,
    url: server.url,
    stop: async () => {
      registry.close();
      await server.close();
    },
  };
}

let registry: RunningRegistry;
let asService: RegistryClient;
let asUser: RegistryClient;

beforeAll(async () => {
  await startAuth();
  await startAgent();
  registry = await startRegistry();
  asService = new RegistryClient(registry.url, { authorization: async () => `Bearer ${serviceToken}` });
  asUser = new RegistryClient(registry.url, { authorization: async () => `Bearer ${userToken}` });
});

afterAll(async () => {
  await registry?.stop();
  await agentServer?.close();
  await authServer?.close();
});

beforeEach(() => {
  for (const r of registry.store.all()) registry.store.remove(r.agentId);
});

function raw(path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (typeof init.body === 'string') headers.set('content-type', 'application/json');
  return fetch(`${registry.url}${path}`, { ...init, headers });
}

async function expectError(res: Response, status: number, code: string, message?: RegExp) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  if (message) expect(body.error.message).toMatch(message);
  return body.error;
}

describe('registration', () => {
  it('registers by card URL: the registry fetches, validates and times the card', async () => {
    const terms = await asService.register({ cardUrl: cardUrl() });
    expect(terms).toEqual({
      agentId: expect.stringMatching(/^agt_[0-9a-f]{16}$/),
      leaseSeconds: 30,
      heartbeatIntervalSeconds: 10,
    });

    const entry = await asService.get(terms.agentId);
    expect(entry).toMatchObject({
      name: 'Portfolio Manager',
      version: '1.2.0',
      url: `${agentServer.url}/a2a/jsonrpc`,
      cardUrl: cardUrl(),
      healthy: true,
      leaseSeconds: 30,
    });
    expect(entry.skills.map((s) => s.id)).toEqual(['portfolio.analyze', 'portfolio.rebalance']);
    expect(entry.cardFetchLatencyMs).toBeGreaterThan(0);
    expect(Date.parse(entry.lastCardFetchAt!)).toBeLessThanOrEqual(Date.now());
    expect(entry.card.capabilities).toEqual({ streaming: true, pushNotifications: true, extensions: [] });
  });

  it('re-registering the same card URL replaces the entry and keeps its id', async () => {
    const first = await raw('/v1/agents', {
      method: 'POST',
      token: serviceToken,
      body: JSON.stringify({ cardUrl: cardUrl() }),
    });
    const second = await raw('/v1/agents', {
      method: 'POST',
      token: serviceToken,
      body: JSON.stringify({ cardUrl: cardUrl(), leaseSeconds: 60 }),
    });
    expect([first.status, second.status]).toEqual([201, 200]);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as {
      agentId: string;
      leaseSeconds: number;
    }[];
    expect(b!.agentId).toBe(a!.agentId);
    expect(b!.leaseSeconds).toBe(60);
    expect(registry.store.all()).toHaveLength(1);
  });

  it('registers a card sent in the body', async () => {
    const { agentId } = await asService.register({ card: researchCard('http://127.0.0.1:9/a2a') });
    const entry = await asService.get(agentId);
    expect(entry).toMatchObject({
      name: 'Market Research',
      cardUrl: null,
      lastCardFetchAt: null,
      cardFetchLatencyMs: null,
    });
    expect(entry.url).toBe('http://127.0.0.1:9/a2a');
    expect(entry.skills[0]).toEqual({
      id: 'research.news',
      name: 'News digest',
      description: 'Summarises recent news for a ticker.',
      tags: ['news'],
    });
  });

  it('accepts an A2A v0.3 card by lifting its url into supportedInterfaces', async () => {
    const legacy = {
      name: 'Legacy Agent',
      description: 'Speaks A2A 0.3',
      version: '0.1.0',
      protocolVersion: '0.3.0',
      url: 'http://127.0.0.1:9/legacy',
      preferredTransport: 'JSONRPC',
      skills: [{ id: 'legacy.echo', name: 'Echo', description: 'Echoes', tags: [] }],
    };
    const res = await raw('/v1/agents', {
      method: 'POST',
      token: serviceToken,
      body: JSON.stringify({ card: legacy }),
    });
    expect(res.status).toBe(201);
    const { agentId } = (await res.json()) as { agentId: string };
    expect((await asService.get(agentId)).url).toBe('http://127.0.0.1:9/legacy');
  });

  it('rejects bad bodies with 400 and a message, storing nothing', async () => {
    const post = (body: string) => raw('/v1/agents', { method: 'POST', token: serviceToken, body });
    await expectError(await post('{not json'), 400, 'bad_request', /must be JSON/);
    await expectError(await post('{}'), 400, 'bad_request', /exactly one of `cardUrl` or `card`/);
    await expectError(
      await post(JSON.stringify({ cardUrl: cardUrl(), card: researchCard('http://x.test/a2a') })),
      400,
      'bad_request',
      /exactly one/,
    );
    await expectError(
      await post(JSON.stringify({ cardUrl: 'ftp://example.com/card.json' })),
      400,
      'bad_request',
      /cardUrl: must be an http\(s\) URL/,
    );
    await expectError(
      await post(JSON.stringify({ cardUrl: cardUrl(), leaseSeconds: 0 })),
      400,
      'bad_request',
      /leaseSeconds/,
    );
    await expectError(
      await post(JSON.stringify({ cardUrl: cardUrl(), extra: 1 })),
      400,
      'bad_request',
      /extra/,
    );
    const err = await expectError(
      await post(
        JSON.stringify({
          card: { name: 'No endpoint', description: 'x', version: '1', skills: [{ id: 's' }] },
        }),
      ),
      400,
      'bad_request',
      /not a valid A2A agent card/,
    );
    expect(err.message).toMatch(/card\.supportedInterfaces/);
    expect(err.message).toMatch(/card\.skills\.0\.name/);
    await expectError(
      await post(JSON.stringify({ card: { ...researchCard('not a url') } })),
      400,
      'bad_request',
      /card\.supportedInterfaces\.0\.url/,
    );
    expect(registry.store.all()).toHaveLength(0);
  });

  it('explains card URLs that do not serve a card, storing nothing', async () => {
    const post = (url: string) =>
      raw('/v1/agents', { method: 'POST', token: serviceToken, body: JSON.stringify({ cardUrl: url }) });
    const missing = await expectError(
      await post(`${agentServer.url}/missing.json`),
      400,
      'bad_request',
      /returned HTTP 404/,
    );
    expect(missing.message).toContain(`${agentServer.url}/missing.json`);
    await expectError(
      await post(`${agentServer.url}/html`),
      400,
      'bad_request',
      /returned text\/html, not JSON/,
    );
    await expectError(await post(`${agentServer.url}/not-json`), 400, 'bad_request', /is not valid JSON/);
    await expectError(
      await post(`${agentServer.url}/bad-card.json`),
      400,
      'bad_request',
      /not a valid A2A agent card: description/,
    );

    const closed = await listen(
      createServiceApp({ name: 'gone', logger: silent, metrics: createMetrics('gone') }),
      { port: 0, host: HOST },
    );
    await closed.close();
    await expectError(
      await post(`${closed.url}/.well-known/agent-card.json`),
      503,
      'unavailable',
      /could not be fetched: ECONNREFUSED/,
    );
    expect(registry.store.all()).toHaveLength(0);
  });

  it('deregisters', async () => {
    const { agentId } = await asService.register({ cardUrl: cardUrl() });
    await asService.deregister(agentId);
    expect(registry.store.all()).toHaveLength(0);
    await expectError(
      await raw(`/v1/agents/${agentId}`, { method: 'DELETE', token: serviceToken }),
      404,
      'not_found',
    );
    await asService.deregister(agentId); // the client treats "already gone" as done
  });
});

describe('auth', () => {
  it('needs a token for the API: 401 with WWW-Authenticate', async () => {
    const res = await raw('/v1/agents');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await expectError(res, 401, 'unauthenticated', /Missing bearer token/);
    await expectError(
      await raw('/v1/agents', { token: 'not-a-jwt' }),
      401,
      'unauthenticated',
      /Invalid access token/,
    );
    await expectError(
      await raw('/v1/agents', { method: 'POST', body: JSON.stringify({ cardUrl: cardUrl() }) }),
      401,
      'unauthenticated',
    );
  });

  it('lets a user search and read but not register, renew or remove', async () => {
    const { agentId } = await asService.register({ cardUrl: cardUrl() });
    expect((await asUser.search()).agents).toHaveLength(1);
    expect((await asUser.get(agentId)).name).toBe('Portfolio Manager');
    await expect(asUser.register({ cardUrl: cardUrl() })).rejects.toMatchObject({
      code: 'forbidden',
      message: /service credential/,
    });
    await expect(asUser.heartbeat(agentId)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(asUser.deregister(agentId)).rejects.toMatchObject({ code: 'forbidden' });
    expect(registry.store.all()).toHaveLength(1);
  });
});

describe('search', () => {
  beforeEach(async () => {
    await asService.register({ cardUrl: cardUrl() });
    await asService.register({ card: researchCard('http://127.0.0.1:9/research') });
  });

  const names = (agents: RegistryEntry[]) => agents.map((a) => a.name);

  it('filters by exact skill id, by tag (any case) and by mode', async () => {
    expect(names((await asUser.search({ skill: 'portfolio.rebalance' })).agents)).toEqual([
      'Portfolio Manager',
    ]);
    expect((await asUser.search({ skill: 'portfolio' })).agents).toEqual([]);
    expect(names((await asUser.search({ tag: 'risk' })).agents)).toEqual(['Portfolio Manager']);
    expect(names((await asUser.search({ tag: 'NEWS' })).agents)).toEqual(['Market Research']);
    expect(names((await asUser.search({ mode: 'text/markdown' })).agents)).toEqual(['Market Research']);
    expect(names((await asUser.search({ mode: 'text/plain' })).agents)).toEqual([
      'Market Research',
      'Portfolio Manager',
    ]);
  });

  it('ranks free text over name, description and skills', async () => {
    expect(names((await asUser.search({ q: 'rebalancing' })).agents)).toEqual(['Portfolio Manager']);
    expect(names((await asUser.search({ q: 'NEWS' })).agents)).toEqual(['Market Research']);
    // Each matches one word; "portfolio" appears in more (and weightier) places than "research".
    expect(names((await asUser.search({ q: 'research portfolio' })).agents)).toEqual([
      'Portfolio Manager',
      'Market Research',
    ]);
    expect((await asUser.search({ q: 'crypto' })).agents).toEqual([]);
  });

  it('pages with an opaque cursor', async () => {
    const first = await asUser.search({ limit: 1 });
    expect(first.total).toBe(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await asUser.search({ limit: 1, cursor: first.nextCursor! });
    expect(second.nextCursor).toBeNull();
    expect(names([...first.agents, ...second.agents])).toEqual(['Market Research', 'Portfolio Manager']);
    await expectError(
      await raw('/v1/agents?cursor=garbage', { token: userToken }),
      400,
      'bad_request',
      /Invalid cursor/,
    );
    await expectError(await raw('/v1/agents?limit=0', { token: userToken }), 400, 'bad_request', /limit/);
    await expectError(
      await raw('/v1/agents?healthy=yes', { token: userToken }),
      400,
      'bad_request',
      /healthy/,
    );
  });

  it('discoverBySkill finds healthy instances and pickAgent rotates over them', async () => {
    await asService.register({ card: researchCard('http://127.0.0.1:10/research') }); // a second instance
    const found = await discoverBySkill(asUser, 'research.news');
    expect(found.map((a) => a.url).sort()).toEqual([
      'http://127.0.0.1:10/research',
      'http://127.0.0.1:9/research',
    ]);
    const picks = [0, 1, 2, 3].map(() => pickAgent(found, 'research.news')!.agentId);
    expect(picks[0]).not.toBe(picks[1]);
    expect(picks[2]).toBe(picks[0]);
    expect(picks[3]).toBe(picks[1]);
    expect(pickAgent([], 'none')).toBeUndefined();
  });
});

describe('leases', () => {
  it('heartbeats keep an agent healthy; silence marks it unhealthy, then evicts it', {
    timeout: 15_000,
  }, async () => {
    const { agentId, heartbeatIntervalSeconds } = await asService.register({
      card: researchCard('http://127.0.0.1:9/short', 'Short Lease'),
      leaseSeconds: 1,
    });
    expect(heartbeatIntervalSeconds).toBeCloseTo(0.333, 3);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 300));
      expect(await asService.heartbeat(agentId)).toMatchObject({ agentId, healthy: true });
    }
    expect((await asService.get(agentId)).healthy).toBe(true);

    await vi.waitFor(async () => expect((await asService.get(agentId)).healthy).toBe(false), {
      timeout: 2_500,
      interval: 100,
    });
    expect((await asUser.search({ healthy: true })).agents).toEqual([]);
    expect((await asUser.search({ healthy: false })).agents.map((a) => a.agentId)).toEqual([agentId]);
    const health = (await (await raw('/healthz')).json()) as { agents: number; healthyAgents: number };
    expect(health).toMatchObject({ status: 'ok', agents: 1, healthyAgents: 0 });

    await vi.waitFor(() => expect(registry.store.get(agentId)).toBeUndefined(), {
      timeout: 3_500,
      interval: 100,
    });
    await expect(asService.heartbeat(agentId)).rejects.toMatchObject({
      code: 'not_found',
      message: /register again/,
    });
  });

  it('a heartbeat for an unknown id is a 404', async () => {
    await expectError(
      await raw('/v1/agents/agt_0000000000000000/heartbeat', { method: 'PUT', token: serviceToken }),
      404,
      'not_found',
    );
  });
});

describe('keepRegistered', () => {
  it('registers, heartbeats, re-registers after a registry restart and deregisters on stop', {
    timeout: 15_000,
  }, async () => {
    let own = await startRegistry();
    const port = own.server.port;
    const client = new RegistryClient(own.url, {
      authorization: async () => `Bearer ${serviceToken}`,
      timeoutMs: 2_000,
    });
    const registration = keepRegistered({
      registry: client,
      cardUrl: cardUrl(),
      intervalMs: 200,
      logger: silent,
    });
    try {
      const agentId = await registration.ready;
      expect(registration.agentId).toBe(agentId);
      expect(own.store.get(agentId)?.leaseSeconds).toBe(1);
      const firstBeat = own.store.get(agentId)!.lastHeartbeatAt;
      await vi.waitFor(() => expect(own.store.get(agentId)!.lastHeartbeatAt).toBeGreaterThan(firstBeat), {
        timeout: 2_000,
      });

      // Restart: the new registry starts empty on the same port; the agent must come back by itself.
      await own.stop();
      own = await startRegistry(port);
      expect(own.store.all()).toHaveLength(0);
      await vi.waitFor(() => expect(own.store.get(agentId)).toBeDefined(), { timeout: 5_000, interval: 50 });
      expect(registration.agentId).toBe(agentId); // ids are stable across restarts
    } finally {
      await registration.stop();
    }
    expect(own.store.all()).toHaveLength(0);
    expect(registration.agentId).toBeUndefined();
    await own.stop();
  });

  it('keeps retrying while the registry is down and never throws', { timeout: 10_000 }, async () => {
    const gone = await listen(
      createServiceApp({ name: 'gone', logger: silent, metrics: createMetrics('gone') }),
      { port: 0, host: HOST },
    );
    const port = gone.port;
    await gone.close();
    const client = new RegistryClient(`http://${HOST}:${port}`, {
      authorization: async () => `Bearer ${serviceToken}`,
    });
    const registration = keepRegistered({
      registry: client,
      cardUrl: cardUrl(),
      intervalMs: 100,
      logger: silent,
    });
    await new Promise((r) => setTimeout(r, 400));
    expect(registration.agentId).toBeUndefined();

    const late = await startRegistry(port);
    try {
      const agentId = await registration.ready;
      expect(late.store.get(agentId)?.card.name).toBe('Portfolio Manager');
    } finally {
      await registration.stop();
      await late.stop();
    }
  });
});

describe('ai-catalog', () => {
  it('lists healthy agents publicly, by card URL or inline card', async () => {
    const { agentId } = await asService.register({ cardUrl: cardUrl() });
    await asService.register({ card: researchCard('http://127.0.0.1:9/research') });
    const res = await raw('/.well-known/ai-catalog.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ai-catalog+json');
    const catalog = (await res.json()) as { specVersion: string; entries: Record<string, unknown>[] };
    expect(catalog.specVersion).toBe('1.0');
    expect(catalog.entries).toHaveLength(2);
    const [research, portfolio] = catalog.entries;
    expect(portfolio).toMatchObject({
      identifier: `urn:stockpulse:agent:${agentId}`,
      type: 'application/a2a-agent-card+json',
      displayName: 'Portfolio Manager',
      description: 'Analyses portfolios, risk and rebalancing; plans orders.',
      url: cardUrl(),
      extensions: { skills: [{ id: 'portfolio.analyze' }, { id: 'portfolio.rebalance' }] },
    });
    expect(portfolio).not.toHaveProperty('data');
    expect(research).toMatchObject({ displayName: 'Market Research', data: { name: 'Market Research' } });
    expect(research).not.toHaveProperty('url');
  });
});
