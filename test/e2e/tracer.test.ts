import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { formatUsd } from '@stockpulse/domain';
import { createA2AClient, sendText } from '@stockpulse/protocols/a2a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDemoValue, readSse } from '../harness/expected.js';
import { startTestMesh, type TestMesh } from '../harness/mesh.js';

/**
 * The walking skeleton's tracer: every process started for real (embedded defaults), a person's
 * question over HTTP through gateway → user-assistant → registry → portfolio-manager (A2A) →
 * postgres + timescale MCP servers, and the exact value back as AG-UI events.
 */
let mesh: TestMesh;
let token: string;
const gateway = () => mesh.urls.gateway!;
const QUESTION = 'What is my portfolio worth?';

const runInput = (text: string) => ({
  threadId: 'thread-e2e',
  runId: `run-${Math.random().toString(36).slice(2)}`,
  messages: [{ id: 'm1', role: 'user', content: text }],
  tools: [],
  context: [],
  state: {},
  forwardedProps: {},
});

async function login(password = 'stockpulse-demo') {
  return fetch(`${gateway()}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'demo@stockpulse.local', password }),
  });
}

beforeAll(async () => {
  mesh = await startTestMesh();
  const res = await login();
  expect(res.status).toBe(200);
  token = ((await res.json()) as { accessToken: string }).accessToken;
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

describe('tracer: "What is my portfolio worth?"', () => {
  it('streams RUN_STARTED, the exact total as TEXT_MESSAGE_*, and RUN_FINISHED', async () => {
    const expected = expectedDemoValue();
    const res = await fetch(`${gateway()}/api/v1/agent`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify(runInput(QUESTION)),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await readSse(res);
    const types = events.map((e) => e.type).filter((t) => !t?.startsWith('STEP_'));
    expect(types[0]).toBe('RUN_STARTED');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    expect(types).toContain('TEXT_MESSAGE_START');
    expect(types.indexOf('TEXT_MESSAGE_END')).toBeGreaterThan(types.indexOf('TEXT_MESSAGE_CONTENT'));
    const text = events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join('');
    expect(text).toContain(`Your portfolio is worth ${formatUsd(expected.totalValue)}`);

    // The structured portfolio rides along for the UI (from the portfolio-manager's A2A data part).
    const snapshot = events.find((e) => e.type === 'STATE_SNAPSHOT') as
      | { snapshot: { portfolio: { valuation: { totalValue: string; cash: string; holdings: unknown[] } } } }
      | undefined;
    expect(snapshot?.snapshot.portfolio.valuation).toMatchObject({
      totalValue: expected.totalValue,
      cash: expected.cash,
      positionsValue: expected.positionsValue,
    });
    expect(snapshot?.snapshot.portfolio.valuation.holdings).toHaveLength(7);
  });

  it('answers over A2A from both agents, found by their cards', async () => {
    const expected = expectedDemoValue();
    for (const url of [mesh.urls['user-assistant']!, mesh.urls['portfolio-manager']!]) {
      const card = (await (await fetch(`${url}/.well-known/agent-card.json`)).json()) as {
        name: string;
        skills: Array<{ id: string }>;
        supportedInterfaces: Array<{ url: string }>;
      };
      expect(card.supportedInterfaces[0]!.url).toBe(`${url}/a2a`);
      expect(card.skills.length).toBeGreaterThan(0);
      const client = await createA2AClient(url, { authorization: `Bearer ${token}` });
      const answer = await sendText(client, QUESTION);
      expect(answer.state).toBe('TASK_STATE_COMPLETED');
      expect(answer.text).toContain(formatUsd(expected.totalValue));
      expect(answer.data[0]).toMatchObject({ valuation: { totalValue: expected.totalValue } });
    }
  });

  it('registered the portfolio-manager under its skill in the registry', async () => {
    const res = await fetch(`${mesh.urls.registry}/v1/agents?skill=portfolio-analysis`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await res.json()) as { agents: Array<{ name: string; healthy: boolean }> };
    expect(body.agents).toEqual([
      expect.objectContaining({ name: 'StockPulse Portfolio Manager', healthy: true }),
    ]);
  });
});

describe('bad input is refused cleanly', () => {
  it('wrong password → 401 JSON', async () => {
    const res = await login('not-the-password');
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthenticated', message: 'Invalid email or password' },
    });
  });

  it('malformed login body → 400 naming the field', async () => {
    const res = await fetch(`${gateway()}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'not-an-email', password: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/^email:/);
  });

  it('/api/v1/agent without a token → 401', async () => {
    const res = await fetch(`${gateway()}/api/v1/agent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(runInput(QUESTION)),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('a malformed RunAgentInput → 400 with a message, before any run starts', async () => {
    const res = await fetch(`${gateway()}/api/v1/agent`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ threadId: 't', messages: 'nope' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Invalid RunAgentInput/,
    );
  });

  it('an unknown A2A method → JSON-RPC -32601 on both agents, and no task is created', async () => {
    for (const url of [mesh.urls['user-assistant']!, mesh.urls['portfolio-manager']!]) {
      const rpc = (body: unknown) =>
        fetch(`${url}/a2a`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'A2A-Version': '1.0',
          },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ error?: { code: number }; result?: { tasks: unknown[] } }>);
      const tasks = async () =>
        (await rpc({ jsonrpc: '2.0', id: 0, method: 'ListTasks', params: {} })).result?.tasks;
      const before = await tasks();
      expect(before).toBeInstanceOf(Array);
      expect(
        (await rpc({ jsonrpc: '2.0', id: 1, method: 'PlaceAllMyMoneyOnRed', params: {} })).error?.code,
      ).toBe(-32601);
      expect((await rpc({ jsonrpc: '2.0', id: 2, method: 'message/explode' })).error?.code).toBe(-32601);
      expect(await tasks()).toEqual(before);
    }
  });
});

describe('MCP servers over Streamable HTTP', () => {
  it('each of the six lists its tools to an authenticated MCP client', async () => {
    const names = ['auth', 'postgres', 'redis', 'qdrant', 'timescale', 'graphiti'] as const;
    for (const name of names) {
      const url = mesh.config.mcp[name].url;
      const client = new Client({ name: 'e2e', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
        }),
      );
      const { tools } = await client.listTools();
      expect(tools.length, name).toBeGreaterThan(0);
      for (const tool of tools) {
        expect(tool.outputSchema, `${name}.${tool.name}`).toBeDefined();
        expect(tool.annotations?.readOnlyHint, `${name}.${tool.name}`).toBeTypeOf('boolean');
      }
      await client.close();
    }
  });

  it('refuses an MCP request without a token with 401 and resource metadata', async () => {
    const res = await fetch(`${mesh.config.mcp.postgres.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('resource_metadata=');
  });
});

describe('web app in headless Chromium', () => {
  it('logs in, asks the question, and shows the streamed value', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.setDefaultTimeout(20_000);
      await page.goto(gateway());
      await page.getByTestId('login-email').fill('demo@stockpulse.local');
      await page.getByTestId('login-password').fill('stockpulse-demo');
      await page.getByTestId('login-submit').click();
      const input = page.getByTestId('copilot-chat-textarea');
      await input.waitFor({ state: 'visible' });
      await input.fill(QUESTION);
      await input.press('Enter');
      const answer = page.getByTestId('copilot-assistant-message').last();
      const total = formatUsd(expectedDemoValue().totalValue);
      await expect.poll(() => answer.textContent(), { timeout: 20_000 }).toContain(total);
      await page.locator('[data-testid="copilot-chat"][data-copilot-running="false"]').waitFor();
      if (process.env.E2E_SCREENSHOT) await page.screenshot({ path: process.env.E2E_SCREENSHOT });
    } finally {
      await browser.close();
    }
  }, 90_000);
});

describe('external agents through the gateway', () => {
  async function createApiKey(scopes: string[]): Promise<{ id: string; key: string }> {
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${mesh.config.mcp.auth.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const r = await client.callTool({ name: 'create_api_key', arguments: { name: 'e2e agent', scopes } });
      return r.structuredContent as { id: string; key: string };
    } finally {
      await client.close();
    }
  }

  it('serves the assistant card with the public URL and answers an A2A client holding an API key', async () => {
    const card = (await (await fetch(`${gateway()}/.well-known/agent-card.json`)).json()) as {
      supportedInterfaces: Array<{ url: string }>;
    };
    expect(card.supportedInterfaces[0]!.url).toBe(`${gateway()}/a2a`);
    const { key } = await createApiKey(['read']);
    const client = await createA2AClient(gateway(), { authorization: `Bearer ${key}` });
    const answer = await sendText(client, QUESTION);
    expect(answer.text).toContain(formatUsd(expectedDemoValue().totalValue));
  });

  it('refuses a call without a credential or with a revoked API key', async () => {
    const noAuth = await fetch(`${gateway()}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    });
    expect(noAuth.status).toBe(401);
    const { id, key } = await createApiKey(['read']);
    const client = new Client({ name: 'e2e', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${mesh.config.mcp.auth.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    await client.callTool({ name: 'revoke_api_key', arguments: { id } });
    await client.close();
    const revoked = await fetch(`${gateway()}/a2a`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'A2A-Version': '1.0' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ListTasks', params: {} }),
    });
    // The gateway's own introspection cache may hold a fresh key for up to 30 s; the
    // revoked key was never used before, so it is refused at once.
    expect(revoked.status).toBe(401);
  });
});
