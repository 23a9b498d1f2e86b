import type { McpToolClient } from '@stockpulse/protocols/mcp';
import type { DataPlane } from '../tools.js';

/** What every skill runs with: the data plane, the calling user's credential, and a cancel signal. */
export interface SkillContext {
  data: DataPlane;
  authorization: string;
  signal?: AbortSignal;
}

/** Call a tool for the user of this skill run; aborting the run aborts the call. */
export function callTool<T>(
  ctx: SkillContext,
  client: McpToolClient,
  tool: string,
  args: Record<string, unknown>,
) {
  return client.call<T>(tool, args, { authorization: ctx.authorization, signal: ctx.signal });
}

export interface DailyBarsResult {
  symbol: string;
  truncated: boolean;
  bars: Array<{ date: string; open: string; high: string; low: string; close: string; volume: number }>;
}

/** The last `limit` daily bars of each symbol, fetched concurrently. */
export async function dailyHistories(ctx: SkillContext, symbols: readonly string[], limit: number) {
  return Promise.all(
    symbols.map((symbol) =>
      callTool<DailyBarsResult>(ctx, ctx.data.market, 'get_daily_bars', { symbol, limit }),
    ),
  );
}
