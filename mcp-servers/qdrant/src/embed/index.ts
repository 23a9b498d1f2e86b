import { lexicalEmbedder } from './lexical.js';
import { type OpenAiEmbedderOptions, openAiEmbedder } from './openai.js';
import type { Embedder } from './port.js';

export * from './lexical.js';
export * from './openai.js';
export * from './port.js';

/** The OpenAI-compatible client when one is configured, the local lexical embedder otherwise. */
export function createEmbedder(opts: { openAi?: OpenAiEmbedderOptions } = {}): Embedder {
  return opts.openAi ? openAiEmbedder(opts.openAi) : lexicalEmbedder();
}
