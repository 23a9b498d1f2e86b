import { z } from 'zod';
import { instant } from '../store/extract.js';

/** Shapes the graph tools share; the same declarations validate results and document them to clients. */
export { instant };

export const isoTime = z.string().describe('ISO 8601 UTC timestamp');

export const entityRef = z.object({
  id: z.string().uuid(),
  name: z.string(),
  symbol: z.string().nullable().describe('Ticker when the entity is a universe company'),
});

export const entity = entityRef.extend({
  groupId: z.string().describe("'public' (market graph) or 'user:<id>' (your memory)"),
  labels: z.array(z.string()),
  summary: z.string(),
  attributes: z.record(z.string(), z.unknown()),
  createdAt: isoTime,
});

export const fact = z.object({
  id: z.string().uuid(),
  groupId: z.string(),
  relation: z.string().describe('SCREAMING_SNAKE relation, e.g. IN_SUB_INDUSTRY, COMPETES_WITH'),
  fact: z.string().describe('The fact as a sentence'),
  source: entityRef,
  target: entityRef,
  validAt: isoTime.describe('When it became true in the world'),
  invalidAt: isoTime.nullable().describe('When it stopped being true (null: still true)'),
  createdAt: isoTime.describe('When the graph learned it'),
  expiredAt: isoTime.nullable().describe('When the graph learned it had ended'),
  episodeIds: z.array(z.string().uuid()).max(10),
  attributes: z.record(z.string(), z.unknown()),
});

export const episode = z.object({
  id: z.string().uuid(),
  groupId: z.string(),
  name: z.string(),
  kind: z.enum(['text', 'message', 'json']),
  sourceDescription: z.string(),
  referenceTime: isoTime,
  createdAt: isoTime,
  bodyPreview: z.string().max(280),
  mentionCount: z.number().int(),
});

/** Point-in-time inputs shared by the read tools. */
export const timeInputs = {
  asOf: instant
    .optional()
    .describe(
      'Read the graph as of this instant: facts true then, as the graph knew them then. Default: now. ' +
        'E.g. 2025-06-30 or 2025-06-30T16:00:00Z.',
    ),
  knownAt: instant
    .optional()
    .describe(
      "Override the knowledge instant (default: asOf). asOf in the past + knownAt now = today's view of the past.",
    ),
};

/** Entity reference input: id, ticker or name. */
export const entityInput = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .describe('Entity id, ticker (NVDA) or name (Nvidia, Semiconductors, Information Technology)');
