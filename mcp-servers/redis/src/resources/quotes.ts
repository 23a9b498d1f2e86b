import { AppError } from '@stockpulse/core';
import { defineResourceTemplate, jsonContents } from '@stockpulse/protocols/mcp';
import { checkedSymbol, type Store } from '../store/port.js';

const LISTED = 500;

/**
 * `quote://{symbol}`: the latest live quote of a symbol, subscribable. One store listener serves
 * every subscription of this server; each change wakes only the watchers of the symbols it names.
 */
export function quoteResources(store: Store) {
  const watchers = new Map<string, Set<() => void>>();
  let stopListening: (() => void) | undefined;
  const dispatch = (symbols: readonly string[]) => {
    for (const symbol of symbols) for (const changed of watchers.get(symbol) ?? []) changed();
  };
  const symbolOf = (value: string | string[] | undefined) =>
    checkedSymbol(String(Array.isArray(value) ? value[0] : (value ?? '')).toUpperCase());

  return [
    defineResourceTemplate({
      name: 'live-quote',
      title: 'Live quote',
      uriTemplate: 'quote://{symbol}',
      description:
        'Latest live quote of a symbol (price, ts, bid/ask, volume, source) as published by the market-data ' +
        'feed. Subscribe (resources/subscribe) to be notified whenever it changes.',
      mimeType: 'application/json',
      list: async () => ({
        resources: (await store.quotedSymbols(LISTED)).map((symbol) => ({
          uri: `quote://${symbol}`,
          name: `${symbol} live quote`,
          mimeType: 'application/json',
        })),
      }),
      complete: {
        symbol: async (prefix) =>
          (await store.quotedSymbols(LISTED)).filter((s) => s.startsWith(prefix.toUpperCase())).slice(0, 50),
      },
      read: async (uri, { symbol }) => {
        const s = symbolOf(symbol);
        const quote = await store.getQuote(s);
        if (!quote) throw new AppError('not_found', `No live quote for ${s} yet`);
        return jsonContents(uri, quote);
      },
      // Watching a symbol that has no quote yet is allowed: the first one notifies.
      watch: async (_uri, { symbol }, _ctx, changed) => {
        const s = symbolOf(symbol);
        stopListening ??= store.watchQuotes(dispatch);
        const set = watchers.get(s) ?? new Set<() => void>();
        watchers.set(s, set);
        set.add(changed);
        return () => {
          set.delete(changed);
          if (set.size === 0) watchers.delete(s);
          if (watchers.size === 0) {
            stopListening?.();
            stopListening = undefined;
          }
        };
      },
    }),
  ];
}
