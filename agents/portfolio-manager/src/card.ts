import { type AgentCard, agentCard } from '@stockpulse/protocols/a2a';
import { SKILLS } from './skills/index.js';

const BOTH = ['text/plain', 'application/json'];

export function portfolioManagerCard(publicUrl: string): AgentCard {
  return agentCard({
    name: 'StockPulse Portfolio Manager',
    description:
      "Works on a user's portfolio from their brokerage ledger and market data: valuation, risk and exposure, " +
      'market analysis of a stock, rebalancing plans and paper orders placed only after confirmation. Every figure is computed exactly by the quant library.',
    version: '0.2.0',
    publicUrl,
    streaming: true,
    skills: [
      {
        id: SKILLS.portfolioAnalysis,
        name: 'Portfolio analysis',
        description:
          'Value the caller’s portfolio at the latest close: total value, cash, positions value, per-holding market ' +
          'value, weight, day change and unrealized P&L. Returns text and a structured valuation data part.',
        tags: ['portfolio', 'valuation', 'holdings', 'pnl'],
        examples: ['What is my portfolio worth?', 'Show my holdings and weights'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.riskAnalysis,
        name: 'Risk and exposure',
        description:
          'Exposure by GICS sector and to a theme (e.g. semiconductors, banks, one ticker), concentration (largest ' +
          'weight, Herfindahl), and the current holdings’ one-year volatility, 1-day 95% VaR / expected shortfall and ' +
          'max drawdown. Data part: { skill: "risk-analysis", theme?: { label, sector?, subIndustryIncludes?, symbol? } }.',
        tags: ['risk', 'exposure', 'var', 'volatility', 'concentration'],
        examples: ['How exposed am I to chips?', 'How risky is my portfolio?'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.marketAnalysis,
        name: 'Market analysis',
        description:
          'How one stock moved and the likely why: its latest move against its sub-industry peers, RSI/moving ' +
          'averages/volatility, the latest news about it and its competitors and suppliers from the knowledge graph. ' +
          'Data part: { skill: "market-analysis", symbol }.',
        tags: ['market', 'stock', 'news', 'technicals'],
        examples: ['Why did NVDA move?', 'How is Apple doing?'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.rebalancing,
        name: 'Rebalancing plan',
        description:
          'Whole-share trades that move the portfolio to target weights (equal weight by default, with a cash ' +
          'buffer). A plan only: nothing is placed. Data part: { skill: "rebalancing", targets?: { SYMBOL: fraction }, cashBuffer? }.',
        tags: ['rebalancing', 'allocation', 'portfolio'],
        examples: ['Rebalance my portfolio to equal weight'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.orderPlanning,
        name: 'Order planning (paper trading)',
        description:
          'Preview an order (estimated cost, fees, cash and weight after, every pre-trade risk check) and place it ' +
          'only with the confirmation token the preview returned, after the person confirms; list recent orders. ' +
          'Data part: { skill: "order-planning", action: "preview", order: { clientOrderId, symbol, side, type, ' +
          'quantity | notional, limitPrice?, stopPrice?, timeInForce? } } → then { action: "place", order, ' +
          'confirmationToken } (needs the trade scope), or { action: "list" }.',
        tags: ['orders', 'trading', 'paper', 'confirmation'],
        examples: ['Buy 10 AAPL', 'Sell $500 of MSFT', 'Show my orders'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.alerts,
        name: 'Price alerts',
        description:
          'Create a price alert (price_above / price_below a price, or change_pct: a day move of at least N%, ' +
          'negative for a drop) checked on the live feed, or list them. Triggered alerts go to the person’s ' +
          'risk-alerts stream. Data part: { skill: "alerts", action: "create", alert: { symbol, kind, threshold } } ' +
          'or { action: "list" }.',
        tags: ['alerts', 'price', 'notifications'],
        examples: ['Alert me when AAPL goes above 230', 'Show my alerts'],
        outputModes: BOTH,
      },
      {
        id: SKILLS.backtesting,
        name: 'Backtesting',
        description:
          'Run a built-in strategy (ma_crossover, rsi_mean_reversion, momentum_rotation, target_weights) over the ' +
          'stored daily bars through the paper broker’s matching and risk rules, with no look-ahead, against an ' +
          'equal-weighted buy-and-hold of the same symbols; the result is stored. Data part: { skill: "backtesting", ' +
          'action: "run", strategy: { name, params }, symbols, initialCash? } or { action: "list" }.',
        tags: ['backtest', 'strategy', 'simulation'],
        examples: [
          'Backtest a moving average crossover on AAPL',
          'Backtest momentum on AAPL MSFT NVDA AMZN GOOGL',
        ],
        outputModes: BOTH,
      },
    ],
  });
}
