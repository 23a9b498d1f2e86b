import type { StockPulseConfig } from '@stockpulse/core';
import { connectMcp, type McpToolClient } from '@stockpulse/protocols/mcp';

/**
 * The MCP servers this agent works through: the ledger and broker (postgres), market data
 * (timescale), news and notes (qdrant) and the market knowledge graph (graphiti).
 */
export interface DataPlane {
  ledger: McpToolClient;
  market: McpToolClient;
  news: McpToolClient;
  graph: McpToolClient;
  close(): Promise<void>;
}

export function connectDataPlane(
  config: StockPulseConfig,
  sessionAuthorization: () => Promise<string>,
): DataPlane {
  const opts = { name: 'portfolio-manager', sessionAuthorization };
  const clients = {
    ledger: connectMcp(config.mcp.postgres.url, opts),
    market: connectMcp(config.mcp.timescale.url, opts),
    news: connectMcp(config.mcp.qdrant.url, opts),
    graph: connectMcp(config.mcp.graphiti.url, opts),
  };
  return {
    ...clients,
    close: async () => {
      await Promise.all(Object.values(clients).map((c) => c.close()));
    },
  };
}
