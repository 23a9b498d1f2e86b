import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import type { ReaderQueries } from '../store/reader.js';
import { readOnly } from './schemas.js';

export const schemaTable = z.object({
  name: z.string(),
  comment: z.string().nullable(),
  rowLevelSecurity: z.boolean().describe('Rows are limited to the caller’s own'),
  columns: z.array(
    z.object({ name: z.string(), type: z.string(), nullable: z.boolean(), comment: z.string().nullable() }),
  ),
});

/** The generic escape hatch: read-only SQL over the caller's own ledger rows. */
export function sqlTools(reader: ReaderQueries) {
  const { maxRows, maxBytes, timeoutMs, maxCost, maxLength } = reader.limits;
  const statement = z
    .string()
    .min(1)
    .max(maxLength)
    .describe(
      'One read-only statement: SELECT, WITH ... SELECT, VALUES or TABLE. No parameters, no ";" chains.',
    );
  return [
    defineTool({
      name: 'query',
      title: 'Run read-only SQL',
      description:
        'Run one read-only SQL statement against the ledger tables (see describe_schema) and get rows back. ' +
        "Rows are already limited to the caller's own (row-level security): no user_id filter is needed. " +
        `Limits: ${maxRows} rows, ${maxBytes / 1024} KiB, ${timeoutMs / 1000} s, planner cost ${maxCost}; ` +
        'results cut short say so in truncated. Numbers come back as exact decimal strings. Prefer the domain ' +
        'tools (get_portfolio, list_trades, get_cash_balance...) when one answers the question.',
      input: { sql: statement },
      output: {
        columns: z.array(z.string()),
        rows: z.array(z.array(z.unknown())).describe('One array per row, values in column order'),
        rowCount: z.number().int(),
        truncated: z
          .enum(['rows', 'bytes'])
          .nullable()
          .describe('Why rows are missing (row or byte cap), or null when all rows are here'),
        estimatedCost: z.number().describe("The planner's estimate for the statement"),
      },
      annotations: readOnly,
      handler: async ({ sql }, ctx) => reader.query(requireUser(ctx.principal), sql),
    }),
    defineTool({
      name: 'explain_query',
      title: 'Explain read-only SQL',
      description:
        'The Postgres query plan (EXPLAIN FORMAT JSON) of one read-only statement, under the same rules as ' +
        'query. With analyze: true the statement also runs (still read-only, same limits) and the plan ' +
        'carries actual rows and timings. Use to see why a query is slow or refused as too costly.',
      input: { sql: statement, analyze: z.boolean().default(false) },
      output: {
        plan: z
          .record(z.string(), z.unknown())
          .nullable()
          .describe('The plan document; null when over the byte cap'),
        totalCost: z.number(),
        planRows: z.number(),
        executionTimeMs: z.number().nullable(),
        truncated: z.boolean(),
      },
      annotations: readOnly,
      handler: async ({ sql, analyze }, ctx) => reader.explain(requireUser(ctx.principal), sql, { analyze }),
    }),
    defineTool({
      name: 'describe_schema',
      title: 'Describe schema',
      description:
        'The tables and columns query can read, with their meaning. Call before writing SQL for query.',
      input: {},
      output: { tables: z.array(schemaTable) },
      annotations: readOnly,
      handler: async (_args, ctx) => {
        requireUser(ctx.principal);
        return { tables: await reader.describeSchema() };
      },
    }),
  ];
}
