import { createLogger, createMetrics, listen, type RunningServer } from '@stockpulse/core';
import type { Principal } from '@stockpulse/protocols/auth';
import { RegistryClient } from '@stockpulse/protocols/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryApp } from '../../../registry/src/app.js';
import { assistantGraph, runTurn } from '../src/brain/graph.js';
import { recognize } from '../src/brain/intents.js';
import { Delegator } from '../src/delegate.js';

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
    ['buy 10 AAPL', 'unsupported'],
    ['why did NVDA move?', 'unsupported'],
  ])('%s → %s', (text, kind) => {
    expect(recognize(text).kind).toBe(kind);
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
    const graph = assistantGraph(new Delegator(client, logger));
    const steps: string[] = [];
    const result = await runTurn(
      graph,
      { text: 'What is my portfolio worth?', authorization: 'Bearer user' },
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
    const graph = assistantGraph(new Delegator(client, logger));
    expect((await runTurn(graph, { text: 'hi', authorization: 'Bearer user' })).text).toMatch(
      /^Hi! I'm StockPulse/,
    );
    expect((await runTurn(graph, { text: 'buy 10 AAPL', authorization: 'Bearer user' })).text).toMatch(
      /can't help with "buy 10 AAPL" yet/,
    );
  });
});
