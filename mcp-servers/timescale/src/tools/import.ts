import { AppError } from '@stockpulse/core';
import { importDailyBarsCsv, MarketDataError } from '@stockpulse/marketdata';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { MAX_INGEST_BARS, type MarketStore } from '../store/market.js';
import { symbol } from './schemas.js';

/** A decade of daily rows is ~200 KB; anything far larger is not a daily OHLCV file. */
const MAX_CSV_CHARS = 2_000_000;

/**
 * Import a daily OHLCV CSV as downloaded from Yahoo Finance or Stooq. The file is validated as a
 * whole (it must be the CSV it claims: not an HTML error page, not JSON, sane prices and dates) and
 * then ingested like `ingest_bars`: all or nothing, idempotent per (symbol, date).
 */
export function importTools(store: MarketStore) {
  return [
    defineTool({
      name: 'import_csv_bars',
      title: 'Import daily bars from CSV',
      description:
        'Import daily OHLCV bars from a Yahoo Finance (Date,Open,High,Low,Close,Adj Close,Volume) or Stooq ' +
        '(Date,Open,High,Low,Close,Volume, or the bulk <TICKER>,<PER>,<DATE>,… layout) CSV text. The layout is ' +
        'detected from the header; HTML, JSON and malformed files are refused with the line and reason of every ' +
        "problem, and nothing is written. Yahoo's 'null' rows are skipped and counted. The symbol must be in the " +
        `universe. At most ${MAX_CSV_CHARS.toLocaleString('en-US')} characters. Needs the service or admin scope.`,
      input: {
        csv: z.string().min(1).max(MAX_CSV_CHARS),
        symbol: symbol
          .optional()
          .describe('The ticker the file is for (Yahoo and Stooq files do not name it)'),
        onConflict: z.enum(['skip', 'replace']).default('skip'),
      },
      output: {
        layout: z.string(),
        rows: z.number().int(),
        skippedNullRows: z.number().int(),
        inserted: z.number().int(),
        skipped: z.number().int(),
        replaced: z.number().int(),
        firstDate: z.string(),
        lastDate: z.string(),
      },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      scope: 'service',
      handler: async ({ csv, symbol, onConflict }, { logger }) => {
        let parsed: ReturnType<typeof importDailyBarsCsv>;
        try {
          parsed = importDailyBarsCsv(csv, { symbol });
        } catch (e) {
          if (e instanceof MarketDataError) throw new AppError('bad_request', e.message, { code: e.code });
          throw e;
        }
        const { bars, report } = parsed;
        if (report.errors.length > 0) {
          const shown = report.errors.slice(0, 10).map((i) => `line ${i.line}: ${i.message}`);
          throw new AppError(
            'bad_request',
            `The CSV was not imported (${report.errors.length} problem${report.errors.length > 1 ? 's' : ''}): ${shown.join('; ')}`,
            { issues: report.errors.slice(0, 100) },
          );
        }
        if (bars.length === 0)
          throw new AppError('bad_request', 'The CSV holds no bars (every row was empty)');
        const totals = { inserted: 0, skipped: 0, replaced: 0 };
        for (let i = 0; i < bars.length; i += MAX_INGEST_BARS) {
          const chunk = bars.slice(i, i + MAX_INGEST_BARS).map((b) => ({
            symbol: b.symbol,
            time: b.date,
            open: b.open,
            high: b.high,
            low: b.low,
            close: b.close,
            volume: b.volume,
          }));
          const r = await store.ingestBars('1d', chunk, { onConflict });
          totals.inserted += r.inserted;
          totals.skipped += r.skipped;
          totals.replaced += r.replaced;
        }
        logger.info({ layout: report.layout, rows: report.rows, ...totals }, 'csv imported');
        return {
          layout: report.layout ?? 'unknown',
          rows: report.rows,
          skippedNullRows: report.skipped,
          ...totals,
          firstDate: bars[0]!.date,
          lastDate: bars.at(-1)!.date,
        };
      },
    }),
  ];
}
