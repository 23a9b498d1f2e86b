import { AppError } from '@stockpulse/core';
import { type Company, loadUniverse } from '@stockpulse/domain';
import { z } from 'zod';
import { RELATION_PATTERN } from './relations.js';

/** The key an entity name is unique by within a group: NFKC, trimmed, single spaces, lower case. */
export function normalizeName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

// ---- JSON episodes: deterministic, the caller already did the extraction ------------------------

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
export const instant = z
  .string()
  .regex(ISO_INSTANT, 'expected an ISO 8601 date or date-time, e.g. 2026-03-01 or 2026-03-01T14:30:00Z')
  .refine((v) => !Number.isNaN(Date.parse(v)), 'not a real date');

const scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()]);
const entityName = z.string().trim().min(1).max(200);

export const jsonEpisodeSchema = z
  .object({
    entities: z
      .array(
        z
          .object({
            name: entityName,
            labels: z.array(z.string().trim().min(1).max(40)).max(10).optional(),
            summary: z.string().max(2000).optional(),
            attributes: z.record(z.string().max(60), scalar).optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
    facts: z
      .array(
        z
          .object({
            source: entityName,
            relation: z
              .string()
              .regex(RELATION_PATTERN, 'relation must be SCREAMING_SNAKE_CASE, e.g. SUPPLIES'),
            target: entityName,
            fact: z.string().trim().min(1).max(1000).optional(),
            validAt: instant.optional(),
            invalidAt: instant.optional(),
            attributes: z.record(z.string().max(60), scalar).optional(),
          })
          .strict(),
      )
      .max(100)
      .default([]),
  })
  .strict();
export type JsonEpisode = z.output<typeof jsonEpisodeSchema>;

/** Parse a JSON episode body; anything malformed is a `bad_request` naming the field. */
export function parseJsonEpisode(body: string): JsonEpisode {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new AppError('bad_request', 'A json episode body must be valid JSON');
  }
  const parsed = jsonEpisodeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new AppError('bad_request', `Invalid json episode: ${issue.message}${at}`);
  }
  for (const [i, f] of parsed.data.facts.entries()) {
    if (normalizeName(f.source) === normalizeName(f.target))
      throw new AppError(
        'bad_request',
        `Invalid json episode: a fact needs two different entities at facts.${i}`,
      );
    if (f.validAt && f.invalidAt && Date.parse(f.invalidAt) < Date.parse(f.validAt))
      throw new AppError('bad_request', `Invalid json episode: invalidAt is before validAt at facts.${i}`);
  }
  if (parsed.data.entities.length === 0 && parsed.data.facts.length === 0)
    throw new AppError('bad_request', 'A json episode needs at least one entity or fact');
  return parsed.data;
}

// ---- text and message episodes: a dictionary of the universe's tickers and names ----------------

/**
 * Tickers that are also everyday words or abbreviations ("IT", "ON", "ALL", "KEY", "DD" …): in prose
 * they are only recognised as a cashtag (`$ON`). Single-letter tickers are always cashtag-only.
 */
const AMBIGUOUS_TICKERS = new Set(
  (
    'ALL ARE NOW ON IT SO DD IR PM ES ED EL DE GL HAS KEY LOW CAT WELL BALL COST FAST ECHO TECH FIX GEN APP ' +
    'DOC COIN DASH HOOD MET EXE MAS CASH DAY WAT BEN CF CI EG FE GD HUM LH MO NI PH RF RL SW TT TEL CB ' +
    'FLEX DOW PODD TAP J O Q'
  ).split(' '),
);

/** Stripped names that are ordinary words or places ("Target", "Southern"): matched only in full form. */
const AMBIGUOUS_NAMES = new Set(
  (
    'ball block booking cooper dover everest flex fox hartford news progressive southern target travelers ' +
    'waters williams mosaic dow carnival corning'
  ).split(' '),
);

/** Common short names the listed legal names do not yield. */
const EXTRA_ALIASES: Record<string, string> = {
  Google: 'GOOGL',
  Facebook: 'META',
  Meta: 'META',
  Exxon: 'XOM',
  'Exxon Mobil': 'XOM',
  Pepsi: 'PEP',
  Coke: 'KO',
  Berkshire: 'BRK.B',
  Disney: 'DIS',
  Ford: 'F',
  JPMorgan: 'JPM',
  'J.P. Morgan': 'JPM',
  Deere: 'DE',
  'John Deere': 'DE',
  McCormick: 'MKC',
  Lockheed: 'LMT',
  Northrop: 'NOC',
  Goldman: 'GS',
  Schwab: 'SCHW',
  Citi: 'C',
  'P&G': 'PG',
  Micron: 'MU',
  'Eli Lilly': 'LLY',
  Chipotle: 'CMG',
  Marriott: 'MAR',
  Hilton: 'HLT',
  Arista: 'ANET',
  Dell: 'DELL',
  Palantir: 'PLTR',
  'Super Micro': 'SMCI',
  Cadence: 'CDNS',
  Marvell: 'MRVL',
  'Amazon.com': 'AMZN',
  Lowes: 'LOW',
};

const SUFFIX =
  /,?\s+(Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.|plc|Ltd\.?|Limited|N\.V\.|&\s*Co\.?|&|Holdings|Group|Companies)$/i;

/** "Coca-Cola Company (The)" → "Coca-Cola"; "Apple Inc." → "Apple". */
export function shortCompanyName(legal: string): string {
  let s = legal
    .replace(/\([^)]*\)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  for (;;) {
    const next = s
      .replace(SUFFIX, '')
      .replace(/^The\s+/i, '')
      .trim();
    if (next === s) return s;
    s = next;
  }
}

export interface CompanyMention {
  symbol: string;
  /** The text that matched (a cashtag, ticker or name). */
  matched: string;
}

export interface CompanyDictionary {
  bySymbol: ReadonlyMap<string, Company>;
  /** Lower-cased alias → symbol (full legal names, short names, common names). */
  aliases: ReadonlyMap<string, string>;
  /** Every alias usable in prose, longest first, as one case-insensitive regex. */
  names: RegExp;
}

/** Cashtags (any case) and bare upper-case tickers; case-sensitive so ordinary words never match. */
const TICKERS = /\$([A-Za-z]{1,5}(?:\.[A-Za-z])?)(?![\w])|(?<![\w$.])([A-Z]{2,5}(?:\.[A-Z])?)(?![\w])/gu;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function buildCompanyDictionary(companies: readonly Company[]): CompanyDictionary {
  const bySymbol = new Map(companies.map((c) => [c.symbol, c]));
  const aliases = new Map<string, string>();
  const prose = new Set<string>();
  const add = (alias: string, symbol: string, inProse: boolean) => {
    const key = alias.toLowerCase();
    if (alias.length < 3 || aliases.has(key)) return; // first listed wins: GOOGL (Class A) before GOOG
    aliases.set(key, symbol);
    if (inProse) prose.add(alias);
  };
  for (const c of companies) {
    add(c.name, c.symbol, true);
    const short = shortCompanyName(c.name);
    add(short, c.symbol, !AMBIGUOUS_NAMES.has(short.toLowerCase()));
  }
  for (const [alias, symbol] of Object.entries(EXTRA_ALIASES))
    if (bySymbol.has(symbol)) add(alias, symbol, true);
  const alternatives = [...prose].sort((a, b) => b.length - a.length).map(escapeRegex);
  const names = new RegExp(`(?<![\\w])(?:${alternatives.join('|')})(?![\\w])`, 'giu');
  return { bySymbol, aliases, names };
}

let universeDictionary: CompanyDictionary | undefined;
export function companyDictionary(): CompanyDictionary {
  universeDictionary ??= buildCompanyDictionary(loadUniverse());
  return universeDictionary;
}

/**
 * Universe companies mentioned in free text, in order of first mention, each once. Recognised:
 * company names starting with a capital letter, full or short (`Apple`, `Coca-Cola`, `Walt Disney`,
 * `Google`); cashtags (`$NVDA`, `$V`); bare upper-case tickers of 2–5 letters unless they are everyday
 * words (`AMD`, `NVDA`; not `IT`, `ON`). Deliberately conservative: a missed mention costs less than a
 * wrong edge in someone's memory.
 */
export function findCompanies(text: string, dict: CompanyDictionary = companyDictionary()): CompanyMention[] {
  const hits: Array<{ at: number; end: number; symbol: string; matched: string }> = [];
  for (const m of text.matchAll(dict.names)) {
    const symbol = /^[\p{Lu}\d]/u.test(m[0]) ? dict.aliases.get(m[0].toLowerCase()) : undefined;
    if (symbol) hits.push({ at: m.index, end: m.index + m[0].length, symbol, matched: m[0] });
  }
  for (const m of text.matchAll(TICKERS)) {
    const [whole, cashtag, ticker] = m;
    if (hits.some((h) => m.index < h.end && h.at < m.index + whole.length)) continue; // inside a name
    const candidate = cashtag ? cashtag.toUpperCase() : ticker!;
    if (!dict.bySymbol.has(candidate) || (!cashtag && AMBIGUOUS_TICKERS.has(candidate))) continue;
    hits.push({ at: m.index, end: m.index + whole.length, symbol: candidate, matched: whole });
  }
  const found = new Map<string, CompanyMention>();
  for (const h of hits.sort((a, b) => a.at - b.at))
    if (!found.has(h.symbol)) found.set(h.symbol, { symbol: h.symbol, matched: h.matched });
  return [...found.values()];
}

/**
 * The universe symbol a reference names, if any: a ticker (`nvda`, `$NVDA`, `BRK.B`) or a company name
 * (`Apple`, `Apple Inc.`, `Google`). Whole-string match, so ambiguous words are fine here.
 */
export function symbolForRef(ref: string, dict: CompanyDictionary = companyDictionary()): string | undefined {
  const r = ref.trim().replace(/^\$/, '');
  if (dict.bySymbol.has(r.toUpperCase()) && /^[A-Za-z]{1,5}(\.[A-Za-z])?$/.test(r)) return r.toUpperCase();
  return dict.aliases.get(normalizeName(r));
}
