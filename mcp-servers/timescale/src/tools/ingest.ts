import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { MAX_INGEST_BARS, type MarketStore } from '../store/market.js';
import { INGEST_INTERVALS, PRICE_PATTERN } from '../store/validate.js';
import { symbol } from './schemas.js';

const price = z.string().regex(PRICE_PATTERN, 'a positive decimal with at most 4 decimal places');

/**
 * Bulk ingest of market data. Market data is shared by every user, so writing it needs the
 * `service` scope (a service principal of the mesh) or `admin` (which implies every scope).
 */
export function ingestTools(store: MarketStore) {
  return [
    defineTool({
      name: 'ingest_bars',
      title: 'Ingest price bars',
      description:
        `Write up to ${MAX_INGEST_BARS} daily (1d) or 1-minute (1m) OHLCV bars in one call, all or nothing. ` +
        "`time` is the session date for 1d (YYYY-MM-DD) or the minute's start for 1m (ISO instant with zone). " +
        'Every bar is checked first (known symbol, positive prices, low <= open/close <= high, whole volume, ' +
        'no duplicates); one bad bar rejects the call and the error lists the offending bars. Idempotent per ' +
        "(symbol, time): existing bars are skipped, or overwritten with onConflict 'replace'. Needs the " +
        'service or admin scope.',
      input: {
        interval: z.enum(INGEST_INTERVALS),
        bars: z
          .array(
            z.object({
              symbol,
              time: z
                .string()
                .min(10)
                .max(40)
                .describe('1d: YYYY-MM-DD; 1m: ISO instant such as 2024-03-28T13:30:00Z'),
              open: price,
              high: price,
              low: price,
              close: price,
              volume: z.number().int().min(0),
            }),
          )
          .min(1)
          .max(MAX_INGEST_BARS),
        onConflict: z.enum(['skip', 'replace']).default('skip'),
      },
      output: {
        interval: z.enum(INGEST_INTERVALS),
        received: z.number().int(),
        inserted: z.number().int(),
        skipped: z.number().int(),
        replaced: z.number().int(),
        symbols: z.number().int(),
        firstTime: z.string(),
        lastTime: z.string(),
      },
      annotations: {
        readOnlyHint: false,
        // 'replace' overwrites stored bars.
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
      scope: 'service',
      handler: async ({ interval, bars, onConflict }, { logger }) => {
        const result = await store.ingestBars(interval, bars, { onConflict });
        logger.info({ ingest: result }, 'bars ingested');
        return result;
      },
    }),
  ];
}
