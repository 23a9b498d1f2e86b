import { AppError } from '@stockpulse/core';
import { requireUser } from '@stockpulse/protocols/auth';
import { defineResource, defineResourceTemplate, jsonContents } from '@stockpulse/protocols/mcp';
import type { LedgerStores } from './store/index.js';

export const portfolioUri = (accountId: string) => `ledger://accounts/${accountId}/portfolio`;

/** The caller's portfolios as addressable documents, and the schema `query` reads. */
export function ledgerResources({ ledger, reader }: LedgerStores) {
  return {
    resourceTemplates: [
      defineResourceTemplate({
        name: 'portfolio',
        title: 'Portfolio',
        uriTemplate: 'ledger://accounts/{accountId}/portfolio',
        mimeType: 'application/json',
        description:
          'One account as get_portfolio returns it: the account, its cash balance and every open position.',
        list: async (ctx) => ({
          resources: (await ledger.accounts(requireUser(ctx.principal))).map((a) => ({
            uri: portfolioUri(a.id),
            name: `${a.name} portfolio`,
            mimeType: 'application/json',
          })),
        }),
        read: async (uri, { accountId }, ctx) => {
          if (typeof accountId !== 'string') throw new AppError('bad_request', 'One account id, please');
          return jsonContents(uri, await ledger.portfolio(requireUser(ctx.principal), accountId));
        },
      }),
    ],
    resources: [
      defineResource({
        name: 'schema',
        title: 'Ledger schema',
        uri: 'ledger://schema',
        mimeType: 'application/json',
        description: 'The tables and columns the query tool can read (as describe_schema returns them).',
        read: async (uri, ctx) => {
          requireUser(ctx.principal);
          return jsonContents(uri, { tables: await reader.describeSchema() });
        },
      }),
    ],
  };
}
