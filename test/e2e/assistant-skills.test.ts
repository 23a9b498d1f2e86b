import { money, toCents } from '@stockpulse/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatTurn, loginDemo } from '../harness/chat.js';
import { expectedDemoHoldings, expectedDemoValue } from '../harness/expected.js';
import { startTestMesh, type TestMesh } from '../harness/mesh.js';

/**
 * The assistant's specialist skills as a person uses them: a question in the chat (AG-UI through
 * the gateway), delegated by skill through the registry to the portfolio-manager, answered from the
 * MCP servers. Figures are checked against the simulator computed here, independently.
 */
let mesh: TestMesh;
let token: string;

beforeAll(async () => {
  mesh = await startTestMesh();
  token = await loginDemo(mesh.urls.gateway!);
}, 240_000);

afterAll(async () => {
  await mesh?.stop();
});

async function ask(question: string, threadId = 'thread-skills') {
  const turn = await chatTurn(mesh.urls.gateway!, token, question, threadId);
  if (process.env.SHOW_ANSWERS) console.log(`\n> ${question}\n${turn.text}`);
  return turn;
}

describe('risk and exposure', () => {
  it('"How exposed am I to chips?" gives the semiconductor weight, exact to the cent', async () => {
    const holdings = expectedDemoHoldings();
    const total = money(expectedDemoValue().totalValue);
    const chips = holdings.filter((h) => h.company.subIndustry.includes('Semiconductor'));
    expect(chips.map((h) => h.symbol)).toEqual(['NVDA']);
    const chipsValue = chips.reduce((s, h) => s.plus(h.marketValue), money(0));

    const { text, answer } = await ask('How exposed am I to chips?');
    expect(answer?.kind).toBe('risk-report');
    expect(answer?.theme).toEqual({
      label: 'semiconductors',
      value: toCents(chipsValue),
      weightPercent: chipsValue.div(total).times(100).toFixed(2),
      symbols: ['NVDA'],
    });
    expect(text).toContain(`${chipsValue.div(total).times(100).toFixed(2)}% of your`);
    const sectors = answer?.sectors as Array<{ sector: string; value: string }>;
    const tech = holdings.filter((h) => h.company.sector === 'Information Technology');
    expect(sectors.find((s) => s.sector === 'Information Technology')?.value).toBe(
      toCents(tech.reduce((s, h) => s.plus(h.marketValue), money(0))),
    );
  });

  it('"How risky is my portfolio?" reports volatility, VaR and drawdown of the current holdings', async () => {
    const { text, answer } = await ask('How risky is my portfolio?');
    const backcast = answer?.backcast as { observations: number; annualizedVolatilityPercent: string } | null;
    expect(backcast).not.toBeNull();
    expect(backcast!.observations).toBeGreaterThan(200);
    expect(Number(backcast!.annualizedVolatilityPercent)).toBeGreaterThan(1);
    expect(Number(backcast!.annualizedVolatilityPercent)).toBeLessThan(80);
    expect(text).toMatch(/volatility would have been [\d.]+% a year/);
    expect(text).toMatch(/Your largest position is [A-Z]+ at/);
  });
});

describe('market analysis', () => {
  it('"Why did NVDA move?" explains the last move against its peers, with technicals', async () => {
    const nvda = expectedDemoHoldings().find((h) => h.symbol === 'NVDA')!;
    const change = money(nvda.close).minus(nvda.previousClose);
    const pct = change.div(nvda.previousClose).times(100).abs().toFixed(2);
    const { text, answer } = await ask('Why did NVDA move?');
    expect(answer?.kind).toBe('market-analysis');
    expect(text).toContain(`(NVDA) ${change.isNegative() ? 'fell' : 'rose'} ${pct}%`);
    expect(text).toMatch(/semiconductors peers moved [+-]?[\d.]+% on average/);
    expect(text).toMatch(/RSI\(14\) [\d.]+/);
    expect((answer!.peers as { count: number }).count).toBeGreaterThan(5);
  });

  it('an unknown company gets a plain answer, not an error', async () => {
    const { text } = await ask('buy 10 XYZQ');
    expect(text).toMatch(/don't know the symbol XYZQ/);
  });
});

describe('rebalancing', () => {
  it('"Rebalance my portfolio" plans whole-share trades to equal weight and places nothing', async () => {
    const { text, answer } = await ask('Rebalance my portfolio');
    expect(answer?.kind).toBe('rebalance-plan');
    const trades = answer?.trades as Array<{ symbol: string; side: string; quantity: string }>;
    expect(trades.length).toBeGreaterThan(0);
    for (const t of trades) expect(Number.isInteger(Number(t.quantity))).toBe(true);
    expect(money(answer?.cashAfter as string).isNegative()).toBe(false);
    expect(text).toMatch(/Nothing has been placed/);
    // Still the same portfolio afterwards.
    const after = await ask('What is my portfolio worth?');
    expect(after.answer?.kind).toBe('portfolio-valuation');
  });
});

describe('backtests', () => {
  it('"Backtest a moving average crossover on AAPL" runs, stores, and gives the same result twice', async () => {
    const first = await ask('Backtest a moving average crossover on AAPL', 'thread-backtest');
    expect(first.answer?.kind).toBe('backtest-result');
    expect(first.text).toMatch(
      /^Backtest of moving-average crossover on AAPL, 2024-01-02 to \d{4}-\d\d-\d\d/,
    );
    expect(first.text).toMatch(/Holding the same stocks equally weighted returned -?[\d.]+%/);
    const again = await ask('Backtest a moving average crossover on AAPL', 'thread-backtest');
    expect(again.answer?.backtestId).toBe(first.answer?.backtestId);
    expect(again.answer?.summary).toEqual(first.answer?.summary);
    const list = await ask('show my backtests', 'thread-backtest');
    expect(list.text).toMatch(/moving-average crossover on AAPL: -?[\d.]+%/);
  });
});

describe('price alerts', () => {
  it('"alert me when NVDA goes above 1" fires on the feed, is told once in the chat, and shows as triggered', async () => {
    const created = await ask('alert me when NVDA goes above 1', 'thread-alerts');
    expect(created.text).toMatch(/^Done: I'll tell you when NVDA rises above \$1\.00\. NVDA is at \$/);
    // The ledger checks alerts every 3 s and publishes a triggered one to the person's risk-alerts
    // stream; the assistant tells them at the start of their next turn, once.
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          seen.push((await ask('show my alerts', 'thread-alerts')).text);
          return seen.join('\n');
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toMatch(/🔔 NVDA rose above \$1\.00: now \$[\d,.]+\.[\s\S]*NVDA rises above \$1\.00: triggered/);
    expect(seen.join('\n').match(/🔔 NVDA rose above/g)).toHaveLength(1);
    expect(seen.at(-1)).toMatch(/NVDA rises above \$1\.00: triggered/);
  });
});
