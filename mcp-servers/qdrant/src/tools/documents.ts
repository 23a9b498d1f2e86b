import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { type DocumentLibrary, MAX_DOCUMENT_BYTES } from '../documents.js';
import { COLLECTIONS } from '../store/port.js';

/** Longest snippet a search result carries. */
export const SNIPPET_CHARS = 500;

const collection = z.enum(COLLECTIONS);
const writableCollection = z.enum(['notes', 'research']);
const docId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits, dots, dashes, colons and underscores only');
const symbol = z
  .string()
  .trim()
  .min(1)
  .max(12)
  .regex(/^[A-Za-z.-]+$/, 'letters, dots and dashes only')
  .transform((s) => s.toUpperCase());
const owner = z.enum(['public', 'you']).describe("'public' for the shared news corpus, 'you' for your own");
const isoTimestamp = z.string().describe('ISO 8601 timestamp');

const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/**
 * At most `max` characters of `text`, cut at a word boundary and centred on the first query word found
 * past the cut, so the reason a chunk matched is usually visible.
 */
export function snippet(
  text: string,
  query: string,
  max = SNIPPET_CHARS,
): { text: string; truncated: boolean } {
  const clean = text.trim().replace(/\s+/g, ' ');
  if (clean.length <= max) return { text: clean, truncated: false };
  const lower = clean.toLowerCase();
  const hits = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 2)
    .map((w) => lower.indexOf(w))
    .filter((i) => i >= 0);
  const first = hits.length ? Math.min(...hits) : 0;
  let start = first > max - 100 ? first - 150 : 0;
  if (start > 0) start = clean.indexOf(' ', start) + 1 || start;
  let end = Math.min(clean.length, start + max - (start > 0 ? 2 : 1));
  if (end < clean.length) {
    const space = clean.lastIndexOf(' ', end);
    if (space > start + max / 2) end = space;
  }
  return {
    text: `${start > 0 ? '…' : ''}${clean.slice(start, end)}${end < clean.length ? '…' : ''}`,
    truncated: true,
  };
}

export function documentTools(library: DocumentLibrary) {
  return [
    defineTool({
      name: 'list_collections',
      title: 'List document collections',
      description:
        'The document collections (news, research, notes) with how many documents you can read in each and ' +
        'whether you can write to it. news is the shared market-news corpus; research and notes are your own.',
      input: {},
      output: {
        collections: z.array(
          z.object({
            name: collection,
            description: z.string(),
            documents: z.number().int().describe('Documents visible to you'),
            writable: z.boolean(),
          }),
        ),
      },
      annotations: readOnly,
      handler: async (_args, { principal }) => ({ collections: await library.collections(principal) }),
    }),

    defineTool({
      name: 'search_documents',
      title: 'Search documents',
      description:
        'Search market news and your own research and notes. mode=hybrid (default) fuses semantic (vector) ' +
        'and keyword (full-text) rankings and puts exact phrase matches first; vector finds related wording; ' +
        'text finds the words themselves. Filter by collection and by symbols (documents about any of them). ' +
        `Returns one result per document with its best-matching passage (snippet ≤ ${SNIPPET_CHARS} chars); ` +
        'call get_document for the full text.',
      input: {
        query: z.string().trim().min(1).max(500).describe("What to look for, e.g. 'NVDA guidance raised'"),
        collection: collection.optional().describe('Search one collection; default all'),
        symbols: z
          .array(symbol)
          .min(1)
          .max(20)
          .optional()
          .describe('Only documents about any of these tickers'),
        mode: z.enum(['hybrid', 'vector', 'text']).default('hybrid'),
        limit: z.number().int().min(1).max(50).default(10),
      },
      output: {
        query: z.string(),
        mode: z.enum(['hybrid', 'vector', 'text']),
        results: z.array(
          z.object({
            id: z.string(),
            collection,
            owner,
            title: z.string(),
            snippet: z.string(),
            truncated: z.boolean().describe('Whether the snippet was cut from a longer passage'),
            score: z.number().describe('Higher is better; comparable only within one response'),
            chunk: z.number().int().describe('Index of the matching passage in the document'),
            symbols: z.array(z.string()),
            tags: z.array(z.string()),
            sector: z.string().optional(),
            publishedAt: isoTimestamp,
          }),
        ),
      },
      annotations: readOnly,
      handler: async ({ query, collection, symbols, mode, limit }, { principal, signal }) => {
        const hits = await library.search(principal, { query, collection, symbols, mode, limit }, signal);
        return {
          query,
          mode,
          results: hits.map(({ value: h, owner }) => {
            const s = snippet(h.text, query);
            return {
              id: h.id,
              collection: h.collection,
              owner,
              title: h.meta.title,
              snippet: s.text,
              truncated: s.truncated,
              score: Math.round(h.score * 1e6) / 1e6,
              chunk: h.chunkIndex,
              symbols: h.meta.symbols,
              tags: h.meta.tags,
              ...(h.meta.sector ? { sector: h.meta.sector } : {}),
              publishedAt: h.meta.publishedAt,
            };
          }),
        };
      },
    }),

    defineTool({
      name: 'get_document',
      title: 'Get a document',
      description:
        'One document by id (from search_documents): title, metadata and text. Text longer than maxChars ' +
        '(default 20000) is cut and truncated is true.',
      input: {
        id: docId,
        collection: collection.optional().describe('Where to look; default every collection'),
        maxChars: z.number().int().min(100).max(100_000).default(20_000),
      },
      output: {
        id: z.string(),
        collection,
        owner,
        title: z.string(),
        text: z.string(),
        truncated: z.boolean(),
        totalChars: z.number().int(),
        chunks: z.number().int(),
        symbols: z.array(z.string()),
        tags: z.array(z.string()),
        sector: z.string().optional(),
        source: z.string(),
        publishedAt: isoTimestamp,
        updatedAt: isoTimestamp,
      },
      annotations: readOnly,
      handler: async ({ id, collection, maxChars }, { principal }) => {
        const { value: doc, owner } = await library.get(principal, id, collection);
        return {
          id: doc.id,
          collection: doc.collection,
          owner,
          title: doc.meta.title,
          text: doc.text.slice(0, maxChars),
          truncated: doc.text.length > maxChars,
          totalChars: doc.text.length,
          chunks: doc.chunkCount,
          symbols: doc.meta.symbols,
          tags: doc.meta.tags,
          ...(doc.meta.sector ? { sector: doc.meta.sector } : {}),
          source: doc.meta.source,
          publishedAt: doc.meta.publishedAt,
          updatedAt: doc.updatedAt,
        };
      },
    }),

    defineTool({
      name: 'upsert_document',
      title: 'Save a note or research document',
      description:
        'Save one of your own documents in notes or research (private to you), split into passages and ' +
        'indexed for search_documents. Without id a new document is created; with the id of one of your ' +
        'documents it is replaced. Text up to 100 KB. The news collection is read-only.',
      input: {
        collection: writableCollection,
        id: docId.optional().describe('Your id for the document; omit to create a new one'),
        title: z.string().trim().min(1).max(200),
        text: z
          .string()
          .min(1)
          .max(MAX_DOCUMENT_BYTES)
          .refine((t) => t.trim().length > 0, 'text must not be blank')
          .refine((t) => Buffer.byteLength(t, 'utf8') <= MAX_DOCUMENT_BYTES, 'text must be at most 100 KB'),
        symbols: z.array(symbol).max(20).default([]).describe('Tickers the document is about'),
        tags: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
      },
      output: {
        id: z.string(),
        collection: writableCollection,
        chunks: z.number().int().describe('Passages the text was split into'),
        created: z.boolean().describe('false when an existing document was replaced'),
      },
      annotations: {
        readOnlyHint: false,
        // Saving with an existing id replaces that document.
        destructiveHint: true,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async (args, { principal, signal }) => {
        const saved = await library.save(principal, args, signal);
        return { ...saved, collection: args.collection };
      },
    }),

    defineTool({
      name: 'delete_document',
      title: 'Delete a note or research document',
      description:
        'Delete one of your own documents (notes or research) by id. Public news cannot be deleted.',
      input: {
        id: docId,
        collection: collection.optional().describe('Where the document is; default every collection'),
      },
      output: { id: z.string(), collection, deleted: z.literal(true) },
      annotations: {
        readOnlyHint: false,
        destructiveHint: true,
        idempotentHint: true,
        openWorldHint: false,
      },
      handler: async ({ id, collection }, { principal }) => library.remove(principal, id, collection),
    }),
  ];
}
