import type { McpServerSpec, ToolDefinition } from '@stockpulse/protocols/mcp';
import type { PaperBroker } from './broker/paper-broker.js';
import { ledgerPrompts } from './prompts.js';
import { ledgerResources } from './resources.js';
import { storeError } from './store/errors.js';
import type { LedgerStores } from './store/index.js';
import { accountingTools } from './tools/accounting.js';
import { agentStateTools } from './tools/agent-state.js';
import { alertTools } from './tools/alerts.js';
import { backtestTools } from './tools/backtests.js';
import { brokerTools } from './tools/broker.js';
import { orderTools } from './tools/orders.js';
import { portfolioTools } from './tools/portfolio.js';
import { sqlTools } from './tools/sql.js';
import { watchlistTools } from './tools/watchlists.js';

/** Database failures (server down, a constraint) as AppErrors a client can act on. */
function withStoreErrors(tool: ToolDefinition): ToolDefinition {
  return {
    ...tool,
    handler: async (args, ctx) => {
      try {
        return await tool.handler(args, ctx);
      } catch (e) {
        throw storeError(e);
      }
    },
  };
}

export function ledgerServerSpec(stores: LedgerStores, broker?: PaperBroker): McpServerSpec {
  const tools: ToolDefinition[] = [
    ...portfolioTools(stores.ledger),
    ...orderTools(stores.ledger, stores.orders),
    ...(broker
      ? [...brokerTools(stores.ledger, broker), ...accountingTools(stores.ledger, broker.feed)]
      : []),
    ...watchlistTools(stores.watchlists),
    ...alertTools(stores.alerts),
    ...backtestTools(stores.backtests),
    ...agentStateTools(stores.agentState),
    ...sqlTools(stores.reader),
  ];
  return {
    name: 'stockpulse-postgres',
    title: 'StockPulse portfolio ledger',
    version: '0.2.0',
    instructions:
      "The caller's brokerage ledger and paper broker: accounts, cash, positions, orders, trades, watchlists and " +
      'alerts; orders are placed only as preview_order → (the person confirms) → place_order with the token. ' +
      'plus read-only SQL over the same tables (query, after describe_schema). Every tool acts only for the ' +
      'authenticated user. Money and quantities are exact decimal strings.',
    tools: tools.map(withStoreErrors),
    ...ledgerResources(stores),
    prompts: ledgerPrompts(stores),
  };
}
