import { describe, expect, it } from 'vitest';
import { SNIPPET_CHARS, snippet } from '../src/tools/documents.js';

describe('snippet', () => {
  it('keeps short passages whole, whitespace collapsed', () => {
    expect(snippet('  Short\n\npassage.  ', 'short')).toEqual({ text: 'Short passage.', truncated: false });
  });

  it('cuts long passages at a word boundary and marks them truncated', () => {
    const s = snippet('word '.repeat(300), 'word');
    expect(s.truncated).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(SNIPPET_CHARS);
    expect(s.text.endsWith('word…')).toBe(true);
  });

  it('moves the window to the first query word found past the cut', () => {
    const text = `${'filler '.repeat(150)}the pelican clause matters here. ${'tail '.repeat(50)}`;
    const s = snippet(text, 'Pelican clause');
    expect(s.text.startsWith('…')).toBe(true);
    expect(s.text).toContain('pelican clause');
    expect(s.text.length).toBeLessThanOrEqual(SNIPPET_CHARS);
  });
});
