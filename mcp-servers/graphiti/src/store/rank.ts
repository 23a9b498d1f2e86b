/** Ranking pieces of hybrid search, kept pure so they can be reasoned about (and tested) alone. */

/** Reciprocal-rank fusion: Σ 1 / (k + rank) over every list an item appears in (rank from 1). */
export function reciprocalRankFusion(lists: ReadonlyArray<readonly string[]>, k = 60): Map<string, number> {
  const scores = new Map<string, number>();
  for (const list of lists) {
    for (const [i, id] of list.entries()) scores.set(id, (scores.get(id) ?? 0) + 1 / (k + i + 1));
  }
  return scores;
}

/** Ids by descending score; ties keep first-seen order (Map order), so results are deterministic. */
export function byScore(scores: ReadonlyMap<string, number>): string[] {
  return [...scores.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}

function trigrams(text: string): Set<string> {
  const grams = new Set<string>();
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (!word) continue;
    const padded = `  ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

/**
 * How much of the query a text contains, by character trigrams (0..1). Containment rather than
 * Jaccard: a short query should match a long fact fully. Catches what stemming misses: prefixes
 * ("semicond" ~ "semiconductors"), tickers and typos. Returns a scorer so the query is split once.
 */
export function lexicalScorer(query: string): (text: string) => number {
  const q = trigrams(query);
  return (text) => {
    if (q.size === 0) return 0;
    const t = trigrams(text);
    let shared = 0;
    for (const g of q) if (t.has(g)) shared++;
    return shared / q.size;
  };
}

/** Query words worth a substring lookup: at least 3 characters, at most 8 of them. */
export function queryTerms(query: string): string[] {
  const words = query.toLowerCase().split(/[^\p{L}\p{N}.&-]+/u);
  return [...new Set(words.filter((w) => w.length >= 3))].slice(0, 8);
}

/** A LIKE pattern matching `term` anywhere, with LIKE's own wildcards escaped. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
