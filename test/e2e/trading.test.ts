import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { exchangeInstant, lastClosedTradingDay, money } from '@stockpulse/domain';
import { createA2AClient, sendText } from '@stockpulse/protocols/a2a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatTurn, loginDemo } from '../harness/chat.js';
import { startTestMesh, type TestMesh } from '../harness/mesh.js';

/**
 * Paper trading as a person does it in the chat: "buy 10 AAPL" → a preview with every risk check →
 * "confirm" → filled on the simulated exchange, and as an external agent does it over A2A
 * (INPUT_REQUIRED, then the same task continued). The exchange runs on a clock set inside a
 * session (11:00 New York on the last closed trading day), so the market is open whatever the hour.
 */
const SESSION_DAY = lastClosedTradingDay(new Date());
let mesh: TestMesh;
let token: string;

beforeAll(async () => {
  mesh = await startTestMesh({
    env: { MARKET_TIME_START: exchangeInstant(SESSION_DAY, 11 * 60).toISOString() },
  });
  token = await loginDemo(mesh.urls.gateway!);
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

const say = (text: string, threadId: string) => chatTurn(mesh.urls.gateway!, token, text, threadId);

async function aaplShares(threadId: string): Promise<string> {
  const { answer } = await say('What do I own?', threadId);
  return answer!.valuation.holdings.find((h: { symbol: string }) => h.symbol === 'AAPL').quantity;
}

describe('paper trading in the chat', () => {
  it('previews "buy 10 AAPL", places it only on "confirm", and the holding grows by 10', async () => {
    const thread = 'trade-confirm';
    const before = await aaplShares(thread);

    const preview = await say('Buy 10 AAPL', thread);
    expect(preview.answer?.kind).toBe('order-preview');
    expect(preview.text).toMatch(
      /^Preview: buy 10 AAPL at market, about \$[\d,]+\.\d\d \(10 shares at about \$[\d,.]+, no commission\)/,
    );
    expect(preview.text).toMatch(/All risk checks pass\./);
    expect(preview.text).toMatch(/Reply "confirm" within \d+ seconds/);
    expect(await aaplShares(thread)).toBe(before); // nothing placed yet

    const done = await say('confirm', thread);
    expect(done.answer?.kind).toBe('order-placed');
    expect(done.text).toMatch(/^Done\. Bought 10 AAPL at \$[\d,.]+/);
    const order = done.answer!.order;
    expect(order.status).toBe('filled');
    expect(order.transitions.map((t: { to: string }) => t.to)).toEqual(['accepted', 'filled']);
    expect(await aaplShares(thread)).toBe(money(before).plus(10).toString());

    // Confirming again places nothing more.
    expect((await say('yes', thread)).text).toMatch(/no order waiting for your confirmation/);
    expect(await aaplShares(thread)).toBe(money(before).plus(10).toString());

    const orders = await say('show my orders', thread);
    expect(orders.text).toMatch(/buy 10 AAPL at market: filled/);
  });

  it('drops a previewed order on "cancel"', async () => {
    const thread = 'trade-cancel';
    const before = await aaplShares(thread);
    await say('buy 3 shares of Apple', thread);
    expect((await say('cancel', thread)).text).toMatch(/won't place it: buy 3 AAPL at market was not sent/);
    expect((await say('confirm', thread)).text).toMatch(/no order waiting/);
    expect(await aaplShares(thread)).toBe(before);
  });

  it('explains a risk rejection with the rule and the numbers, and offers nothing to confirm', async () => {
    const thread = 'trade-risk';
    const r = await say('buy 1000 NVDA', thread);
    expect(r.text).toMatch(/^I can't place buy 1000 NVDA at market: .*\$50,000\.00/);
    expect(r.answer?.confirmation).toBeNull();
    expect((await say('confirm', thread)).text).toMatch(/no order waiting/);
  });
});

describe('paper trading over A2A (external agent through the gateway)', () => {
  it('asks for input with the preview, then completes the same task on "confirm"', async () => {
    const client = await createA2AClient(mesh.urls.gateway!, { authorization: `Bearer ${token}` });
    const first = await sendText(client, 'buy 2 MSFT');
    expect(first.state).toBe('TASK_STATE_INPUT_REQUIRED');
    expect(first.text).toMatch(/Preview: buy 2 MSFT at market/);
    const second = await sendText(client, 'confirm', { taskId: first.task!.id, contextId: first.contextId });
    expect(second.state).toBe('TASK_STATE_COMPLETED');
    expect(second.task!.id).toBe(first.task!.id);
    expect(second.text).toMatch(/Bought 2 MSFT at \$/);
  });

  it('refuses to place an order for an API key without the trade scope, and says why', async () => {
    const mcp = new Client({ name: 'e2e', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${mesh.config.mcp.auth.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    const { key } = (
      await mcp.callTool({ name: 'create_api_key', arguments: { name: 'read-only agent', scopes: ['read'] } })
    ).structuredContent as { key: string };
    await mcp.close();
    const client = await createA2AClient(mesh.urls.gateway!, { authorization: `Bearer ${key}` });
    const preview = await sendText(client, 'buy 1 MSFT');
    expect(preview.state).toBe('TASK_STATE_INPUT_REQUIRED');
    const refused = await sendText(client, 'confirm', {
      taskId: preview.task!.id,
      contextId: preview.contextId,
    });
    expect(refused.text).toMatch(/^The order was not placed: .*trade/);
    const orders = await sendText(client, 'show my orders');
    expect(orders.text).not.toMatch(/buy 1 MSFT/);
  });

  it('publishes the keys push notifications are signed with at the front door', async () => {
    const viaGateway = await (await fetch(`${mesh.urls.gateway}/.well-known/jwks.json`)).json();
    const direct = await (await fetch(`${mesh.urls['user-assistant']}/.well-known/jwks.json`)).json();
    expect(viaGateway.keys.length).toBeGreaterThan(0);
    expect(viaGateway).toEqual(direct);
  });
});

describe('live quotes on the event bus', () => {
  it('publishes the live price while the session trades; a quote://AAPL subscriber is notified', async () => {
    const client = new Client({ name: 'e2e-quotes', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${mesh.config.mcp.redis.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const updates: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updates.push(n.params.uri);
      });
      await client.subscribeResource({ uri: 'quote://AAPL' });
      await expect
        .poll(() => updates.includes('quote://AAPL'), { timeout: 15_000, interval: 250 })
        .toBe(true);
      const read = await client.readResource({ uri: 'quote://AAPL' });
      const first = read.contents[0];
      const quote = JSON.parse(first && 'text' in first ? first.text : '{}') as {
        price: string;
        source: string;
      };
      expect(quote.source).toBe('simulator');
      expect(Number(quote.price)).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });
});

describe('paper trading in the web app (headless Chromium)', () => {
  it('shows Confirm / Cancel after a preview, and "Confirm order" places it', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
      page.setDefaultTimeout(20_000);
      await page.goto(mesh.urls.gateway!);
      await page.getByTestId('login-email').fill('demo@stockpulse.local');
      await page.getByTestId('login-password').fill('stockpulse-demo');
      await page.getByTestId('login-submit').click();
      const input = page.getByTestId('copilot-chat-textarea');
      await input.waitFor({ state: 'visible' });
      await input.fill('buy 1 JPM');
      await input.press('Enter');
      const last = page.getByTestId('copilot-assistant-message').last();
      await expect
        .poll(() => last.textContent(), { timeout: 20_000 })
        .toMatch(/Preview: buy 1 JPM at market/);
      const confirm = page.getByTestId('copilot-suggestion').filter({ hasText: 'Confirm order' });
      await confirm.waitFor({ state: 'visible' });
      expect(await page.getByTestId('copilot-suggestion').filter({ hasText: 'Cancel order' }).count()).toBe(
        1,
      );
      await confirm.click();
      await expect
        .poll(() => page.getByTestId('copilot-assistant-message').last().textContent(), { timeout: 20_000 })
        .toMatch(/Done\. Bought 1 JPM at \$/);
      // The decision is made: the pills are gone.
      await page.locator('[data-testid="copilot-chat"][data-copilot-running="false"]').waitFor();
      await expect.poll(() => confirm.count()).toBe(0);
      if (process.env.E2E_SCREENSHOT) await page.screenshot({ path: process.env.E2E_SCREENSHOT });
    } finally {
      await browser.close();
    }
  }, 90_000);
});
