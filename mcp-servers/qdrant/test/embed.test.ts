import { AppError } from '@stockpulse/core';
import { describe, expect, it } from 'vitest';
import {
  lexicalEmbedder,
  lexicalSparseVector,
  lexicalVector,
  openAiEmbedder,
  termCounts,
  tokenize,
} from '../src/embed/index.js';

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('lexical hashing embedder', () => {
  it('tokenizes: lowercase, stopwords out, plurals and possessives folded, tickers kept', () => {
    expect(tokenize("NVDA's chips and the stocks rally; BRK.B gains 7.2%")).toEqual([
      'nvda',
      'chip',
      'stock',
      'rally',
      'brk.b',
      'gain',
      '7.2',
    ]);
    expect([...termCounts('export curbs export').keys()]).toEqual([
      'export',
      'curb',
      'export curb',
      'curb export',
    ]);
  });

  it('is deterministic, 384-dimensional and unit length', async () => {
    const e = lexicalEmbedder();
    const [a, b] = await e.embed(['Semiconductor export curbs', 'Semiconductor export curbs']);
    expect(e.dimensions).toBe(384);
    expect(e.id).toBe('lexical-hash-384-v1');
    expect(a).toHaveLength(384);
    expect(a).toEqual(b);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 10);
    expect(lexicalVector('the of and')).toEqual(new Array(384).fill(0));
  });

  it('scores word overlap, and word order through bigrams', () => {
    const q = lexicalVector('semiconductor export curbs');
    const phrase = lexicalVector('New semiconductor export curbs were announced');
    const scrambled = lexicalVector('Curbs announced on export of semiconductor');
    const unrelated = lexicalVector('Crude oil prices fell sharply');
    expect(dot(q, phrase)).toBeGreaterThan(dot(q, scrambled));
    expect(dot(q, scrambled)).toBeGreaterThan(dot(q, unrelated));
  });

  it('builds sparse vectors with unique sorted indices', () => {
    const s = lexicalSparseVector('export curbs export curbs');
    expect(s.indices).toEqual([...s.indices].sort((a, b) => a - b));
    expect(new Set(s.indices).size).toBe(s.indices.length);
    expect(s.values).toHaveLength(s.indices.length);
    expect(lexicalSparseVector('the a of')).toEqual({ indices: [], values: [] });
  });
});

describe('OpenAI-compatible embedder', () => {
  function fakeApi(respond: (body: { input: string[]; model: string; dimensions: number }) => Response) {
    const calls: Array<{
      url: string;
      headers: Headers;
      body: { input: string[]; model: string; dimensions: number };
    }> = [];
    const fetch = (async (url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      calls.push({ url, headers: new Headers(init.headers), body });
      return respond(body);
    }) as unknown as typeof globalThis.fetch;
    return { fetch, calls };
  }
  const vec = (seed: number, dims = 4) => Array.from({ length: dims }, (_, i) => seed + i);

  it('posts batches to /embeddings and returns unit vectors in input order', async () => {
    const api = fakeApi(({ input }) =>
      // Answer out of order: the client must sort by index.
      Response.json({ data: input.map((_, i) => ({ index: i, embedding: vec(i + 1) })).reverse() }),
    );
    const e = openAiEmbedder({
      baseUrl: 'http://llm.local/v1/',
      apiKey: 'sk-test',
      model: 'text-embedding-3-small',
      dimensions: 4,
      batchSize: 2,
      fetch: api.fetch,
    });
    const out = await e.embed(['a', 'b', 'c']);
    expect(e.id).toBe('openai:text-embedding-3-small:4');
    expect(api.calls.map((c) => c.body.input)).toEqual([['a', 'b'], ['c']]);
    expect(api.calls[0]!.url).toBe('http://llm.local/v1/embeddings');
    expect(api.calls[0]!.headers.get('authorization')).toBe('Bearer sk-test');
    expect(api.calls[0]!.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 4 });
    const norm = Math.hypot(...vec(1));
    expect(out[0]).toEqual(vec(1).map((x) => x / norm));
    expect(out[2]).toEqual(vec(1).map((x) => x / norm));
    expect(out.every((v) => Math.abs(Math.hypot(...v) - 1) < 1e-9)).toBe(true);
  });

  it('refuses vectors of the wrong width and reports HTTP failures as unavailable', async () => {
    const wide = openAiEmbedder({
      baseUrl: 'http://llm.local/v1',
      model: 'm',
      dimensions: 4,
      fetch: fakeApi(() => Response.json({ data: [{ index: 0, embedding: vec(1, 8) }] })).fetch,
    });
    await expect(wide.embed(['a'])).rejects.toMatchObject({ code: 'unavailable', message: /8-dimensional/ });
    const down = openAiEmbedder({
      baseUrl: 'http://llm.local/v1',
      model: 'm',
      fetch: fakeApi(() => new Response('model not found', { status: 404 })).fetch,
    });
    const err = await down.embed(['a']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'unavailable', message: /answered 404: model not found/ });
  });
});
