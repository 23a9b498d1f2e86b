import type { McpServerSpec } from '@stockpulse/protocols/mcp';
import type { Ledger } from './store/ledger.js';
import { portfolioTools } from './tools/portfolio.js';

export function ledgerServerSpec(ledger: Ledger): McpServerSpec {
  return {
    name: 'stockpulse-postgres',
    title: 'StockPulse portfolio ledger',
    version: '0.1.0',
    instructions:
      "The caller's brokerage ledger: accounts, cash, positions. Every tool acts only for the authenticated user. " +
      'Money and quantities are exact decimal strings.',
    tools: portfolioTools(ledger),
  };
}
