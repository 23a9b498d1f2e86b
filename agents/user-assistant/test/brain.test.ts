import { createLogger, createMetrics, listen, type RunningServer } from '@stockpulse/core';
import type { Principal } from '@stockpulse/protocols/auth';
import { RegistryClient } from '@stockpulse/protocols/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryApp } from '../../../registry/src/app.js';
import { assistantGraph, runTurn } from '../src/brain/graph.js';
import { recognize } from '../src/brain/intents.js';
import { Delegator } from '../src/delegate.js';
import { InMemoryConversationStore } from '../src/memory.js';

describe('deterministic grammar', () => {
  it.each([
    ['What is my portfolio worth?', 'portfolio_value'],
    ["what's my portfolio's total value", 'portfolio_value'],
    ['How much money do I have', 'portfolio_value'],
    ['how is my account doing?', 'portfolio_value'],
    ['What do I own?', 'holdings'],
    ['show me my positions', 'holdings'],
    ['Holdings', 'holdings'],
    ['hello', 'greeting'],
    ['what can you do', 'help'],
    ['how exposed am I to chips?', 'risk'],
    ['How risky is my portfolio?', 'risk'],
    ['am I diversified?', 'risk'],
    ['What is my biggest concentration risk?', 'risk'],
    ['How is my portfolio doing today?', 'portfolio_value'],
    ['What is the latest price of AAPL?', 'market'],
    ['Buy 10 shares of MSFT at market', 'trade'],
    ['why did NVDA move?', 'market'],
    ['How is Apple doing?', 'market'],
    ['NVDA', 'market'],
    ['rebalance my portfolio', 'rebalance'],
    ['buy 10 AAPL', 'trade'],
    ['show my open orders', 'orders'],
    ['yes', 'confirm'],
    ['never mind', 'reject'],
    ['buy 10 XYZQ', 'unknown_symbol'],
    ['alert me when AAPL goes above 230', 'create_alert'],
    ['show my alerts', 'alerts'],
    ['backtest a moving average crossover on AAPL', 'backtest'],
    ['show my backtests', 'backtests'],
    ['what is the meaning of life', 'unsupported'],
    ['is it a good day', 'unsupported'],
  ])('%s → %s', (text, kind) => {
    expect(recognize(text).kind).toBe(kind);
  });

  it('reads the order out of a trade request', () => {
    expect(recognize('Buy 10 shares of Apple')).toEqual({
      kind: 'trade',
      order: { side: 'buy', symbol: 'AAPL', quantity: '10', type: 'market', timeInForce: 'day' },
    });
    expect(recognize('sell 5 msft at $400.50 gtc')).toEqual({
      kind: 'trade',
      order: {
        side: 'sell',
        symbol: 'MSFT',
        quantity: '5',
        type: 'limit',
        limitPrice: '400.50',
        timeInForce: 'gtc',
      },
    });
    expect(recognize('buy $5,000 of NVDA')).toEqual({
      kind: 'trade',
      order: { side: 'buy', symbol: 'NVDA', notional: '5000', type: 'market', timeInForce: 'day' },
    });
    expect(recognize('sell 10 TSLA stop 200')).toMatchObject({ order: { type: 'stop', stopPrice: '200' } });
    expect(recognize('buy 2 brk.b')).toMatchObject({ order: { symbol: 'BRK.B' } });
  });

  it('reads alerts and backtests', () => {
    expect(recognize('notify me if nvidia drops below $100')).toEqual({
      kind: 'create_alert',
      alert: { symbol: 'NVDA', kind: 'price_below', threshold: '100' },
    });
    expect(recognize('Alert me if MSFT falls 3%')).toMatchObject({
      alert: { kind: 'change_pct', threshold: '-3' },
    });
    expect(recognize('Backtest momentum on AAPL, MSFT, NVDA and AMZN')).toEqual({
      kind: 'backtest',
      strategy: { name: 'momentum_rotation', params: { topN: 2 } },
      symbols: ['AAPL', 'MSFT', 'NVDA', 'AMZN'],
    });
    expect(recognize('backtest rsi mean reversion on nvidia')).toMatchObject({
      strategy: { name: 'rsi_mean_reversion' },
      symbols: ['NVDA'],
    });
  });

  it('finds the theme or company of a risk or market question', () => {
    expect(recognize('how exposed am I to chips?')).toMatchObject({ theme: { label: 'semiconductors' } });
    expect(recognize("what's my exposure to banks")).toMatchObject({ theme: { label: 'banks' } });
    expect(recognize('how exposed am I to NVDA')).toMatchObject({ theme: { symbol: 'NVDA' } });
    expect(recognize('Why is Nvidia down today?')).toEqual({ kind: 'market', symbol: 'NVDA' });
    // "A" and "IT" are tickers too, but not when they are words.
    expect(recognize('is it a good day')).toMatchObject({ kind: 'unsupported' });
  });
});

describe('a turn with no specialist available', () => {
  const logger = createLogger('test', 'silent');
  const service: Principal = { kind: 'service', subject: 'service:test', scopes: ['service'], via: 'jwt' };
  let registry: ReturnType<typeof createRegistryApp>;
  let server: RunningServer;
  beforeAll(async () => {
    registry = createRegistryApp({
      logger,
      metrics: createMetrics('registry-test'),
      verify: async () => service,
    });
    server = await listen(registry.app, { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    registry.close();
    await server.close();
  });

  it('tells the person plainly, and still finishes the turn', async () => {
    const client = new RegistryClient(server.url, { authorization: async () => 'Bearer test' });
    const graph = assistantGraph(new Delegator(client, logger), new InMemoryConversationStore());
    const steps: string[] = [];
    const result = await runTurn(
      graph,
      { text: 'What is my portfolio worth?', authorization: 'Bearer user', threadId: 't1' },
      (s, p) => steps.push(`${s}:${p}`),
    );
    expect(result.intent).toBe('portfolio_value');
    expect(result.text).toMatch(
      /can't reach the portfolio manager.*No agent with the 'portfolio-analysis' skill/,
    );
    expect(steps).toEqual([
      'understand:started',
      'understand:finished',
      'askPortfolioManager:started',
      'askPortfolioManager:finished',
      'respond:started',
      'respond:finished',
    ]);
  });

  it('answers greetings and unsupported requests without delegating', async () => {
    const client = new RegistryClient(server.url, { authorization: async () => 'Bearer test' });
    const graph = assistantGraph(new Delegator(client, logger), new InMemoryConversationStore());
    expect((await runTurn(graph, { text: 'hi', authorization: 'Bearer user', threadId: 't1' })).text).toMatch(
      /^Hi! I'm StockPulse/,
    );
    expect(
      (
        await runTurn(graph, {
          text: 'what is the meaning of life',
          authorization: 'Bearer user',
          threadId: 't1',
        })
      ).text,
    ).toMatch(/can't help with "what is the meaning of life" yet/);
  });

  it('asks nothing of the specialist for a "confirm" with nothing pending, and says so', async () => {
    const client = new RegistryClient(server.url, { authorization: async () => 'Bearer test' });
    const graph = assistantGraph(new Delegator(client, logger), new InMemoryConversationStore());
    const steps: string[] = [];
    const result = await runTurn(
      graph,
      { text: 'confirm', authorization: 'Bearer user', threadId: 't2' },
      (s, p) => steps.push(`${s}:${p}`),
    );
    expect(result.text).toMatch(/no order waiting for your confirmation/);
    expect(steps.filter((s) => s.endsWith(':started'))).toEqual([
      'understand:started',
      'recall:started',
      'respond:started',
    ]);
  });

  it('does not place an order whose preview expired, and forgets it', async () => {
    const client = new RegistryClient(server.url, { authorization: async () => 'Bearer test' });
    const memory = new InMemoryConversationStore();
    await memory.save('t3', 'Bearer user', {
      pendingOrder: {
        request: { symbol: 'AAPL' },
        confirmationToken: 'x',
        expiresAt: new Date(Date.now() - 1000).toISOString(),
        summary: 'buy 10 AAPL at market',
      },
    });
    const graph = assistantGraph(new Delegator(client, logger), memory);
    const result = await runTurn(graph, { text: 'yes', authorization: 'Bearer user', threadId: 't3' });
    expect(result.text).toMatch(/preview of buy 10 AAPL at market has expired/);
    expect(await memory.load('t3', 'Bearer user')).toEqual({});
  });
});
