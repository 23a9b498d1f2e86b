import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { LIMITS, type Store } from '../store/port.js';

const decimal = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,6})?$/, 'a non-negative decimal with at most 6 decimal places')
  .describe('Exact decimal string, e.g. "189.2500"');

export const liveQuote = z.object({
  symbol: z
    .string()
    .regex(LIMITS.symbol, 'an upper-case ticker such as AAPL or BRK.B')
    .describe('Ticker, upper case'),
  price: decimal.describe('Last trade price'),
  ts: z.iso.datetime({ offset: true }).describe('When the quote was made, ISO-8601 with a zone'),
  bid: decimal.optional(),
  ask: decimal.optional(),
  volume: z.number().int().min(0).optional().describe('Shares traded in the session so far'),
  source: z.string().max(40).optional().describe('Feed name, e.g. simulator'),
});

/**
 * Writing live quotes. Market data is shared by every user, so it needs the `service` scope (a
 * service principal of the mesh: the market-data feed) or `admin`.
 */
export function quoteTools(store: Store) {
  return [
    defineTool({
      name: 'publish_quotes',
      title: 'Publish live quotes',
      description:
        `Store the latest quote for up to ${LIMITS.maxQuotes} symbols in one call and append each to the shared ` +
        'market-data stream. Subscribers of quote://{symbol} are notified. A quote older than (or as old as) the ' +
        'stored one is skipped and counted as stale, so retrying a batch changes nothing. Needs the service or ' +
        'admin scope.',
      input: { quotes: z.array(liveQuote).min(1).max(LIMITS.maxQuotes) },
      output: {
        received: z.number().int(),
        written: z.number().int(),
        stale: z.number().int(),
        symbols: z.array(z.string()).describe('Symbols whose latest quote changed'),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      scope: 'service',
      handler: async ({ quotes }) => {
        const { written, stale } = await store.putQuotes(quotes);
        return { received: quotes.length, written: written.length, stale, symbols: [...new Set(written)] };
      },
    }),
  ];
}
