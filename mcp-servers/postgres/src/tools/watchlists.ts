import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { WATCHLIST_LIMITS, type Watchlists } from '../store/watchlists.js';
import { readOnly, symbol, timestamp } from './schemas.js';

const watchlist = z.object({
  id: z.string().uuid(),
  name: z.string(),
  symbols: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const watchlistId = z.string().uuid().describe('Id from list_watchlists');
const symbols = z.array(symbol).min(1).max(WATCHLIST_LIMITS.symbolsPerList);
const name = z.string().trim().min(1).max(100).describe('Watchlist name, unique per user');

export function watchlistTools(watchlists: Watchlists) {
  return [
    defineTool({
      name: 'list_watchlists',
      title: 'List watchlists',
      description: "The caller's watchlists with their symbols. Start here to find a watchlist id.",
      input: {},
      output: { watchlists: z.array(watchlist) },
      annotations: readOnly,
      handler: async (_args, ctx) => ({ watchlists: await watchlists.list(requireUser(ctx.principal)) }),
    }),
    defineTool({
      name: 'create_watchlist',
      title: 'Create watchlist',
      description: `Create a named watchlist, optionally with symbols. Names are unique per user (a taken name is a conflict); at most ${WATCHLIST_LIMITS.perUser} lists of ${WATCHLIST_LIMITS.symbolsPerList} symbols.`,
      input: { name, symbols: symbols.optional() },
      output: watchlist,
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      handler: async (args, ctx) => watchlists.create(requireUser(ctx.principal), args.name, args.symbols),
    }),
    defineTool({
      name: 'add_to_watchlist',
      title: 'Add to watchlist',
      description: 'Add symbols to a watchlist; symbols already on it are left as they are.',
      input: { watchlistId, symbols },
      output: { watchlist, added: z.array(z.string()).describe('Symbols that were not on the list before') },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      handler: async (args, ctx) =>
        watchlists.add(requireUser(ctx.principal), args.watchlistId, args.symbols),
    }),
    defineTool({
      name: 'remove_from_watchlist',
      title: 'Remove from watchlist',
      description: 'Remove symbols from a watchlist; symbols not on it are ignored.',
      input: { watchlistId, symbols },
      output: { watchlist, removed: z.array(z.string()) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (args, ctx) =>
        watchlists.remove(requireUser(ctx.principal), args.watchlistId, args.symbols),
    }),
    defineTool({
      name: 'delete_watchlist',
      title: 'Delete watchlist',
      description: 'Delete a watchlist and its symbols. Confirm with the user first.',
      input: { watchlistId },
      output: { id: z.string().uuid(), deleted: z.literal(true) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async (args, ctx) => watchlists.delete(requireUser(ctx.principal), args.watchlistId),
    }),
  ];
}
