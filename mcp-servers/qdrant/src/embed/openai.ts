import { AppError } from '@stockpulse/core';
import { z } from 'zod';
import { EMBEDDING_DIMENSIONS, type Embedder } from './port.js';

export interface OpenAiEmbedderOptions {
  /** Base URL of an OpenAI-compatible API (`https://api.openai.com/v1`, Ollama's `http://127.0.0.1:11434/v1`, vLLM…). */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Requested with the `dimensions` parameter; a response of any other width is refused. */
  dimensions?: number;
  /** Inputs per request; default 96. */
  batchSize?: number;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const embeddingsResponse = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

/** Dense embeddings from an OpenAI-compatible `POST /embeddings` endpoint, in batches. */
export function openAiEmbedder(opts: OpenAiEmbedderOptions): Embedder {
  const dimensions = opts.dimensions ?? EMBEDDING_DIMENSIONS;
  const url = `${opts.baseUrl.replace(/\/$/, '')}/embeddings`;
  const batchSize = opts.batchSize ?? 96;
  const doFetch = opts.fetch ?? fetch;
  const where = `${opts.model} at ${new URL(url).origin}`;

  async function embedBatch(input: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? 30_000);
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: opts.model, input, dimensions, encoding_format: 'float' }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (e) {
      const timedOut = timeout.aborted;
      throw new AppError(
        timedOut ? 'timeout' : 'unavailable',
        `Embedding service ${where} ${timedOut ? 'timed out' : `unreachable: ${(e as Error).message}`}`,
      );
    }
    if (!res.ok) {
      const body = (await res.text().catch(() => '')).slice(0, 300);
      throw new AppError('unavailable', `Embedding service ${where} answered ${res.status}: ${body}`);
    }
    const parsed = embeddingsResponse.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success || parsed.data.data.length !== input.length) {
      throw new AppError('unavailable', `Embedding service ${where} returned an unexpected response`);
    }
    const vectors = [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
    const wrong = vectors.find((v) => v.length !== dimensions);
    if (wrong) {
      throw new AppError(
        'unavailable',
        `Embedding model ${where} returned ${wrong.length}-dimensional vectors; this server stores ${dimensions}. ` +
          'Use a model that honours the `dimensions` parameter (e.g. text-embedding-3-*) or the default local embedder.',
      );
    }
    return vectors.map(normalize);
  }

  return {
    id: `openai:${opts.model}:${dimensions}`,
    dimensions,
    async embed(texts, signal) {
      const out: number[][] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        out.push(...(await embedBatch(texts.slice(i, i + batchSize), signal)));
      }
      return out;
    },
  };
}

function normalize(v: number[]): number[] {
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}
