/** A slice of a document: `text === document.slice(start, start + text.length)`. */
export interface Chunk {
  index: number;
  start: number;
  text: string;
}

export interface ChunkOptions {
  /** Target maximum characters per chunk; default 800. */
  size?: number;
  /** Characters of trailing context repeated at the start of the next chunk; default 150. */
  overlap?: number;
}

// A sentence ends at . ! ? (plus closing quotes/brackets) followed by whitespace, or at a line break.
const SENTENCE_END = /[.!?]+["'”’)\]]*\s+|\n\s*/g;

/** Sentence spans that tile the text exactly (each keeps its trailing whitespace). */
function sentenceSpans(text: string, max: number): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  let from = 0;
  for (const m of text.matchAll(SENTENCE_END)) {
    const end = m.index + m[0].length;
    if (end > from) spans.push(...hardSplit(text, from, end, max));
    from = end;
  }
  if (from < text.length) spans.push(...hardSplit(text, from, text.length, max));
  return spans;
}

/** A "sentence" longer than a chunk (a table, a URL dump) is cut at whitespace, or anywhere if it has none. */
function hardSplit(text: string, from: number, to: number, max: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (to - from > max) {
    const space = text.lastIndexOf(' ', from + max);
    const cut = space > from + max / 2 ? space + 1 : from + max;
    out.push([from, cut]);
    from = cut;
  }
  out.push([from, to]);
  return out;
}

/**
 * Split text into chunks of whole sentences, about `size` characters each, each next chunk starting
 * with the last sentences (up to `overlap` characters) of the previous one, so a passage cut at a
 * boundary is still found whole in one of them. Chunks are exact slices of the input: the document is
 * rebuilt from them with {@link joinChunks}.
 */
export function chunkText(text: string, opts: ChunkOptions = {}): Chunk[] {
  const size = opts.size ?? 800;
  const overlap = Math.min(opts.overlap ?? 150, Math.floor(size / 2));
  const spans = sentenceSpans(text, size);
  const chunks: Chunk[] = [];
  let first = 0;
  while (first < spans.length) {
    const start = spans[first]![0];
    let last = first;
    while (last + 1 < spans.length && spans[last + 1]![1] - start <= size) last++;
    const end = spans[last]![1];
    chunks.push({ index: chunks.length, start, text: text.slice(start, end) });
    if (last === spans.length - 1) break;
    // Start the next chunk at the earliest sentence that still fits in the overlap, always moving forward.
    let next = last + 1;
    while (next - 1 > first && end - spans[next - 1]![0] <= overlap) next--;
    first = next;
  }
  return chunks;
}

/** The document the chunks were cut from (they overlap; each adds what lies past the previous end). */
export function joinChunks(chunks: ReadonlyArray<Pick<Chunk, 'start' | 'text'>>): string {
  const sorted = [...chunks].sort((a, b) => a.start - b.start);
  let text = '';
  let end = sorted[0]?.start ?? 0;
  for (const c of sorted) {
    const chunkEnd = c.start + c.text.length;
    if (chunkEnd <= end) continue;
    text += c.text.slice(Math.max(0, end - c.start));
    end = chunkEnd;
  }
  return text;
}
