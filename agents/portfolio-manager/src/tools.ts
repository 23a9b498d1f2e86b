import type { StockPulseConfig } from '@stockpulse/core';
import { connectMcp, type McpToolClient } from '@stockpulse/protocols/mcp';

/** The MCP servers this agent reads: the ledger (postgres) and market data (timescale). */
export interface DataPlane {
  ledger: McpToolClient;
  market: McpToolClient;
  close(): Promise<void>;
}

export function connectDataPlane(
  config: StockPulseConfig,
  sessionAuthorization: () => Promise<string>,
): DataPlane {
  const opts = { name: 'portfolio-manager', sessionAuthorization };
  const ledger = connectMcp(config.mcp.postgres.url, opts);
  const market = connectMcp(config.mcp.timescale.url, opts);
  return {
    ledger,
    market,
    close: async () => {
      await Promise.all([ledger.close(), market.close()]);
    },
  };
}
