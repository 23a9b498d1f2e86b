/**
 * CopilotRuntime route: proves it works the way CopilotKit's browser client uses it.
 *
 * - a tiny AG-UI agent (POST /agui, 401 without a bearer token) that streams
 *   RUN_STARTED / TEXT_MESSAGE_START / TEXT_MESSAGE_CONTENT… / TEXT_MESSAGE_END / RUN_FINISHED,
 *   echoing the last user message;
 * - a hono "gateway" serving web/dist, a test /api/v1/auth/login, a bearer check, and
 *   copilotKitRoutes() under /api/copilotkit;
 * - headless Chromium (playwright-core + Debian's /usr/bin/chromium) logs in through the form,
 *   asks a question and reads the streamed answer.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { webBuildIsCurrent } from '@stockpulse/cli';
import { Hono } from 'hono';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { aguiEndpoint, copilotKitRoutes, principalKey } from '../src/routes/copilotkit.js';

// Read before the route module (which defaults it) is imported.
const telemetryEnvBefore = vi.hoisted(() => process.env.COPILOTKIT_TELEMETRY_DISABLED);

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, '../../web');
const webDist = path.join(webDir, 'dist');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const DEMO = { email: 'demo@stockpulse.local', password: 'stockpulse-demo' };
const TOKEN = 'test-access-token.abc.def';
const USER = { id: 'u_demo', email: DEMO.email, displayName: 'Demo Trader' };

type Server = ReturnType<typeof serve>;

interface AgentCall {
  headers: Record<string, string>;
  body: {
    threadId?: string;
    runId?: string;
    messages?: Array<{ role: string; content?: unknown }>;
  };
}

// ---------------------------------------------------------------- test AG-UI agent

function lastUserText(messages: AgentCall['body']['messages']): string {
  const last = [...(messages ?? [])].reverse().find((m) => m.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  if (Array.isArray(last.content)) {
    return last.content
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as { text: unknown }).text) : ''))
      .join('');
  }
  return '';
}

function createTestAgent(calls: AgentCall[]): Hono {
  const app = new Hono();
  app.post('/agui', async (c) => {
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const body = (await c.req.json()) as AgentCall['body'];
    calls.push({ headers, body });

    const auth = c.req.header('authorization');
    if (!auth?.startsWith('Bearer ')) {
      return c.json({ error: { code: 'unauthorized', message: 'missing bearer token' } }, 401);
    }

    const threadId = body.threadId ?? 't';
    const runId = body.runId ?? 'r';
    const messageId = `msg-${runId}`;
    const answer = `Echo: ${lastUserText(body.messages)}`;
    // Stream the answer in several deltas, like a model would.
    const deltas = answer.match(/.{1,6}/gs) ?? [answer];
    const events: object[] = [
      { type: 'RUN_STARTED', threadId, runId },
      { type: 'TEXT_MESSAGE_START', messageId, role: 'assistant' },
      ...deltas.map((delta) => ({ type: 'TEXT_MESSAGE_CONTENT', messageId, delta })),
      { type: 'TEXT_MESSAGE_END', messageId },
      { type: 'RUN_FINISHED', threadId, runId },
    ];
    const enc = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const ev of events) {
          controller.enqueue(enc.encode(`data: ${JSON.stringify(ev)}\n\n`));
          await new Promise((r) => setTimeout(r, 15));
        }
        controller.close();
      },
    });
    return new Response(stream, {
      headers: { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' },
    });
  });
  return app;
}

// ---------------------------------------------------------------- test gateway

function createTestGateway(userAssistantUrl: string): Hono {
  const app = new Hono();

  app.post('/api/v1/auth/login', async (c) => {
    const { email, password } = (await c.req.json().catch(() => ({}))) as {
      email?: string;
      password?: string;
    };
    if (email === DEMO.email && password === DEMO.password) {
      return c.json({ accessToken: TOKEN, refreshToken: 'refresh-1', expiresIn: 900, user: USER });
    }
    return c.json({ error: { code: 'invalid_credentials', message: 'Invalid email or password' } }, 401);
  });

  // Stand-in for the real gateway's auth middleware.
  app.use('/api/copilotkit/*', async (c, next) => {
    if (c.req.method !== 'OPTIONS' && c.req.header('authorization') !== `Bearer ${TOKEN}`) {
      return c.json({ error: { code: 'unauthorized', message: 'bearer token required' } }, 401);
    }
    await next();
  });
  app.route('/api/copilotkit', copilotKitRoutes({ userAssistantUrl }));

  // The built web app; serveStatic wants a cwd-relative root.
  const root = path.relative(process.cwd(), webDist) || '.';
  app.use('/*', serveStatic({ root }));
  app.get('*', serveStatic({ root, path: 'index.html' }));
  return app;
}

function listen(app: Hono): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      resolve({ server, url: `http://127.0.0.1:${info.port}` });
    });
  });
}

function close(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (!server) return resolve();
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** Parse a text/event-stream body into its JSON `data:` payloads. */
function parseSse(text: string): Array<Record<string, unknown>> {
  return text
    .split(/\r?\n\r?\n/)
    .map((block) =>
      block
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n'),
    )
    .filter((d) => d.length > 0)
    .map((d) => JSON.parse(d) as Record<string, unknown>);
}

function runInput(question: string) {
  return {
    threadId: `thread-${Math.random().toString(36).slice(2)}`,
    runId: `run-${Math.random().toString(36).slice(2)}`,
    messages: [{ id: 'm1', role: 'user', content: question }],
    tools: [],
    context: [],
    state: {},
    forwardedProps: {},
  };
}

// ---------------------------------------------------------------- suite

describe('gateway /api/copilotkit (CopilotRuntime v2 → AG-UI user-assistant)', () => {
  const calls: AgentCall[] = [];
  let agent: { server: Server; url: string };
  let gateway: { server: Server; url: string };

  beforeAll(async () => {
    agent = await listen(createTestAgent(calls));
    gateway = await listen(createTestGateway(agent.url));
  });

  afterAll(async () => {
    await close(gateway?.server);
    await close(agent?.server);
  });

  it('disables CopilotKit telemetry unless the environment says otherwise', () => {
    expect(process.env.COPILOTKIT_TELEMETRY_DISABLED).toBe(telemetryEnvBefore ?? 'true');
  });

  it('builds the AG-UI endpoint from the user-assistant base URL', () => {
    expect(aguiEndpoint('http://127.0.0.1:8001')).toBe('http://127.0.0.1:8001/agui');
    expect(aguiEndpoint('http://127.0.0.1:8001/')).toBe('http://127.0.0.1:8001/agui');
    expect(aguiEndpoint('http://h/agui')).toBe('http://h/agui');
  });

  it('GET /info lists the stockpulse agent', async () => {
    const res = await fetch(`${gateway.url}/api/copilotkit/info`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
    const info = (await res.json()) as { agents: Record<string, { name: string }> };
    expect(Object.keys(info.agents)).toEqual(['stockpulse']);
  });

  it('POST /agent/stockpulse/run streams the agent answer and forwards only the allow-listed headers', async () => {
    const before = calls.length;
    const res = await fetch(`${gateway.url}/api/copilotkit/agent/stockpulse/run`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'text/event-stream',
        Authorization: `Bearer ${TOKEN}`,
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        Cookie: 'sid=secret',
        'X-Forwarded-For': '203.0.113.9',
        'X-Internal-Thing': 'nope',
      },
      body: JSON.stringify(runInput('ping over http')),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(await res.text());
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('RUN_STARTED');
    expect(types).toContain('TEXT_MESSAGE_START');
    expect(types.at(-1)).toBe('RUN_FINISHED');
    const text = events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join('');
    expect(text).toBe('Echo: ping over http');

    const call = calls[before];
    expect(call).toBeDefined();
    expect(calls.length).toBe(before + 1);
    expect(call?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(call?.headers.traceparent).toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
    expect(call?.headers.cookie).toBeUndefined();
    expect(call?.headers['x-forwarded-for']).toBeUndefined();
    expect(call?.headers['x-internal-thing']).toBeUndefined();
    expect(lastUserText(call?.body.messages)).toBe('ping over http');
  });

  it('uses each request’s own token (no token leaks between requests) and surfaces agent 401s as RUN_ERROR', async () => {
    // Straight at the sub-app (no gateway middleware) so a token-less request reaches the agent.
    const routes = copilotKitRoutes({ userAssistantUrl: agent.url });
    const before = calls.length;

    const ok = await routes.request('/agent/stockpulse/run', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer other-user-token' },
      body: JSON.stringify(runInput('who am i')),
    });
    expect(ok.status).toBe(200);
    await ok.text();
    expect(calls[before]?.headers.authorization).toBe('Bearer other-user-token');

    const anon = await routes.request('/agent/stockpulse/run', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(runInput('no token')),
    });
    const events = parseSse(await anon.text());
    expect(calls[before + 1]?.headers.authorization).toBeUndefined();
    expect(events.some((e) => e.type === 'RUN_ERROR')).toBe(true);
    expect(events.some((e) => e.type === 'TEXT_MESSAGE_CONTENT')).toBe(false);
  });

  it('keeps conversations per user: thread hijack is 403, shared-store thread endpoints are not exposed', async () => {
    const routes = copilotKitRoutes({ userAssistantUrl: agent.url });
    const jwt = (sub: string, n = 0) =>
      `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub, n }),
      ).toString('base64url')}.sig`;
    expect(principalKey(jwt('alice', 1))).toBe(principalKey(jwt('alice', 2))); // survives a token refresh
    expect(principalKey(jwt('alice'))).not.toBe(principalKey(jwt('bob')));
    expect(principalKey('Bearer opaque')).not.toBe(principalKey('Bearer other'));

    const input = runInput('alice private question');
    const post = (p: string, auth: string, body: unknown) =>
      routes.request(p, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: auth },
        body: JSON.stringify(body),
      });

    const mine = await post('/agent/stockpulse/run', jwt('alice', 1), input);
    expect(mine.status).toBe(200);
    await mine.text();

    const hijackRun = await post('/agent/stockpulse/run', jwt('bob'), { ...input, runId: 'r-bob' });
    expect(hijackRun.status).toBe(403);
    const hijackConnect = await post('/agent/stockpulse/connect', jwt('bob'), input);
    expect(hijackConnect.status).toBe(403);
    const hijackStop = await post(`/agent/stockpulse/stop/${input.threadId}`, jwt('bob'), {});
    expect(hijackStop.status).toBe(403);

    // The owner (with a refreshed token) can reconnect and gets the history replayed.
    const reconnect = await post('/agent/stockpulse/connect', jwt('alice', 2), { ...input, runId: 'r-2' });
    expect(reconnect.status).toBe(200);
    const replay = parseSse(await reconnect.text());
    expect(
      replay
        .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
        .map((e) => e.delta)
        .join(''),
    ).toBe('Echo: alice private question');

    for (const [method, p] of [
      ['GET', '/threads'],
      ['GET', `/threads/${input.threadId}/messages`],
      ['GET', `/threads/${input.threadId}/events`],
      ['POST', '/threads/clear'],
      ['POST', '/agent/stockpulse/suggest'],
      ['POST', '/'],
    ] as const) {
      const res = await routes.request(p, { method, headers: { Authorization: jwt('bob') } });
      expect(res.status, `${method} ${p}`).toBe(404);
    }
  });

  it('unknown agents are a 404', async () => {
    const res = await fetch(`${gateway.url}/api/copilotkit/agent/nope/run`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(runInput('x')),
    });
    expect(res.status).toBe(404);
  });

  describe('browser (headless Chromium, built web app)', () => {
    let browser: Browser | undefined;

    beforeAll(async () => {
      // test/global-setup.ts builds web/dist once before any test file runs.
      if (!webBuildIsCurrent())
        throw new Error('web/dist is stale: the vitest global setup should have built it');
      if (!existsSync(CHROMIUM)) {
        throw new Error(`${CHROMIUM} missing: apt-get update && apt-get install -y chromium`);
      }
      browser = await chromium.launch({
        executablePath: CHROMIUM,
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
    }, 200_000);

    afterAll(async () => {
      await browser?.close();
    });

    it('logs in, asks a question, reads the streamed answer; the agent got the bearer token', async () => {
      if (!browser) throw new Error('browser not started');
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const pageErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.setDefaultTimeout(15_000);

      // COPILOTKIT_TEST_SCREENSHOTS=/some/dir keeps screenshots of each step for eyeballing the UI.
      const shotDir = process.env.COPILOTKIT_TEST_SCREENSHOTS;
      const shot = async (name: string) => {
        if (shotDir) await page.screenshot({ path: path.join(shotDir, `${name}.png`) });
      };

      try {
        await page.goto(gateway.url);

        // Wrong password → error, still on the form.
        await page.getByTestId('login-email').fill(DEMO.email);
        await page.getByTestId('login-password').fill('wrong-password');
        await page.getByTestId('login-submit').click();
        await expect.poll(() => page.getByTestId('login-error').textContent()).toContain('Invalid');
        await shot('1-login-error');

        // Right password → chat.
        await page.getByTestId('login-password').fill(DEMO.password);
        await page.getByTestId('login-submit').click();
        const input = page.getByTestId('copilot-chat-textarea');
        await input.waitFor({ state: 'visible' });
        expect(await page.evaluate(() => sessionStorage.getItem('stockpulse.session'))).toContain(TOKEN);
        await shot('2-chat-empty');

        const before = calls.length;
        const question = 'What is the price of AAPL?';
        await input.fill(question);
        await input.press('Enter');

        await page.getByTestId('copilot-user-message').filter({ hasText: question }).waitFor();
        const answer = page.getByTestId('copilot-assistant-message').last();
        await expect.poll(() => answer.textContent(), { timeout: 15_000 }).toContain(`Echo: ${question}`);
        // The run is over once the chat root flips data-copilot-running back to "false".
        await page.locator('[data-testid="copilot-chat"][data-copilot-running="false"]').waitFor();
        expect((await answer.innerText()).trim()).toBe(`Echo: ${question}`);

        await shot('3-chat-answer');

        const runs = calls.slice(before).filter((c) => lastUserText(c.body.messages) === question);
        expect(runs.length).toBe(1);
        expect(runs[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);

        // A reload keeps the session (sessionStorage); logout clears it.
        await page.reload();
        await page.getByTestId('copilot-chat-textarea').waitFor({ state: 'visible' });
        await page.getByTestId('logout').click();
        await page.getByTestId('login-email').waitFor({ state: 'visible' });
        expect(await page.evaluate(() => sessionStorage.getItem('stockpulse.session'))).toBeNull();

        expect(pageErrors).toEqual([]);
      } catch (err) {
        await shot('failure').catch(() => {});
        throw err;
      } finally {
        await context.close();
      }
    }, 60_000);

    it('a token the gateway rejects sends the user back to the login form', async () => {
      if (!browser) throw new Error('browser not started');
      const context = await browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      try {
        await page.goto(gateway.url);
        await page.evaluate(
          ([user]) =>
            sessionStorage.setItem(
              'stockpulse.session',
              JSON.stringify({ accessToken: 'revoked-token', expiresAt: Date.now() + 600_000, user }),
            ),
          [USER] as const,
        );
        await page.reload();
        await page.getByTestId('login-email').waitFor({ state: 'visible' });
        expect(await page.getByTestId('login-notice').textContent()).toMatch(/session expired/i);
        expect(await page.evaluate(() => sessionStorage.getItem('stockpulse.session'))).toBeNull();
      } finally {
        await context.close();
      }
    }, 30_000);
  });
});
