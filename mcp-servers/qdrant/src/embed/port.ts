/** Dense vectors for text. Every vector a store holds came from one embedder; its `id` is recorded with it. */
export interface Embedder {
  /** Stable name of the model and its settings, e.g. `lexical-hash-384-v1`, `openai:text-embedding-3-small:384`. */
  readonly id: string;
  readonly dimensions: number;
  /** One unit-length vector per text, in order. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** The vector width every store here is created with (`vector(384)`, Qdrant `size: 384`). */
export const EMBEDDING_DIMENSIONS = 384;
