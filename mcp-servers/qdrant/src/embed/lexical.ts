import { hash32 } from '@stockpulse/domain';
import { EMBEDDING_DIMENSIONS, type Embedder } from './port.js';

// Words that carry no topic; dropping them keeps short queries from matching everything.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by for from had has have he her his i if in into is it its me my no not of ' +
    'on or our over she so than that the their them then there these they this those to was we were what when ' +
    'which while who will with would you your'
  ).split(' '),
);

const TOKEN = /[\p{L}\p{N}]+(?:[.'’&][\p{L}\p{N}]+)*/gu;

/** A light English stemmer: possessives and plurals only, so "jumps" meets "jump" and "chips" meets "chip". */
function stem(word: string): string {
  let w = word.replace(/['’]s$/, '');
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  return w;
}

/** Lowercased, stemmed word tokens without stopwords, in text order. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const m of text.toLowerCase().matchAll(TOKEN)) {
    const w = stem(m[0]);
    if (!STOPWORDS.has(w)) out.push(w);
  }
  return out;
}

/** Unigram and bigram counts: bigrams let word order (and so exact phrases) count, not just vocabulary. */
export function termCounts(text: string): Map<string, number> {
  const tokens = tokenize(text);
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  for (let i = 0; i < tokens.length; i++) {
    add(tokens[i]!);
    if (i > 0) add(`${tokens[i - 1]} ${tokens[i]}`);
  }
  return counts;
}

/** Sublinear term frequency: the tenth mention of a word adds less than the second. */
const weight = (count: number) => 1 + Math.log(count);

/**
 * The hashing trick: each unigram/bigram is hashed to one of `dimensions` slots with a hashed sign
 * (so collisions cancel out on average instead of piling up), then the vector is L2-normalized.
 * Deterministic, needs no model or network; captures word overlap, not meaning.
 */
export function lexicalVector(text: string, dimensions = EMBEDDING_DIMENSIONS): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const [feature, count] of termCounts(text)) {
    const slot = hash32('slot', feature) % dimensions;
    const sign = hash32('sign', feature) & 1 ? 1 : -1;
    v[slot]! += sign * weight(count);
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}

/**
 * The same features as a sparse vector (32-bit feature hashes → weights) for stores with a sparse
 * index (Qdrant, whose `idf` modifier turns it into BM25-like scoring). Colliding features are merged.
 */
export function lexicalSparseVector(text: string): { indices: number[]; values: number[] } {
  const byIndex = new Map<number, number>();
  for (const [feature, count] of termCounts(text)) {
    const index = hash32('term', feature);
    byIndex.set(index, (byIndex.get(index) ?? 0) + weight(count));
  }
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => byIndex.get(i)!) };
}

/** The default embedder: local, deterministic feature hashing (see {@link lexicalVector}). */
export function lexicalEmbedder(dimensions = EMBEDDING_DIMENSIONS): Embedder {
  return {
    id: `lexical-hash-${dimensions}-v1`,
    dimensions,
    embed: async (texts) => texts.map((t) => lexicalVector(t, dimensions)),
  };
}
