import { describe, expect, it } from 'vitest';
import { chunkText, joinChunks } from '../src/chunk.js';

const sentence = (i: number) => `Sentence number ${i} talks about market item ${i * 7} in some detail. `;
const long = `${Array.from({ length: 60 }, (_, i) => sentence(i)).join('')}Final words without a stop`;

describe('chunkText', () => {
  it('keeps a short text as one chunk', () => {
    expect(chunkText('One sentence. Two.')).toEqual([{ index: 0, start: 0, text: 'One sentence. Two.' }]);
    expect(chunkText('')).toEqual([]);
  });

  it('cuts on sentence boundaries into chunks of at most ~800 chars that overlap', () => {
    const chunks = chunkText(long);
    expect(chunks.length).toBeGreaterThan(4);
    for (const [i, c] of chunks.entries()) {
      expect(c.index).toBe(i);
      expect(c.text.length).toBeLessThanOrEqual(800);
      expect(long.slice(c.start, c.start + c.text.length)).toBe(c.text);
      expect(c.text).toMatch(/^(Sentence|Final)/); // starts at a sentence
      if (i > 0) {
        const prev = chunks[i - 1]!;
        const overlap = prev.start + prev.text.length - c.start;
        expect(overlap).toBeGreaterThan(0);
        expect(overlap).toBeLessThanOrEqual(150);
      }
    }
    expect(chunks.at(-1)!.text.endsWith('Final words without a stop')).toBe(true);
  });

  it('rebuilds the exact document from its chunks', () => {
    for (const text of [
      long,
      'Short.',
      'a'.repeat(2500),
      `Para one.\n\nPara two!  Three?\n${'x '.repeat(900)}`,
    ]) {
      const chunks = chunkText(text);
      expect(joinChunks(chunks)).toBe(text);
      expect(joinChunks([...chunks].reverse())).toBe(text);
    }
  });

  it('splits a sentence longer than a chunk at whitespace', () => {
    const words = 'word '.repeat(400);
    const chunks = chunkText(words, { size: 300, overlap: 50 });
    expect(chunks.every((c) => c.text.length <= 300)).toBe(true);
    expect(joinChunks(chunks)).toBe(words);
  });
});
