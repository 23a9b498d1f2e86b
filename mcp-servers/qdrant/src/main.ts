import { runMcpService } from '@stockpulse/protocols/runtime';
import { z } from 'zod';
import { DocumentLibrary } from './documents.js';
import { createEmbedder, EMBEDDING_DIMENSIONS, type OpenAiEmbedderOptions } from './embed/index.js';
import { seedDemoNews } from './seed.js';
import { documentServerSpec } from './server.js';
import { openVectorStore } from './store/open.js';

// Embedding settings are not part of the shared config schema: parsed here, at the edge, and passed down.
const blankIsUnset = (v: unknown) => (v === '' ? undefined : v);
const embeddingEnv = z
  .object({
    OPENAI_API_KEY: z.preprocess(blankIsUnset, z.string().optional()),
    OPENAI_BASE_URL: z.preprocess(blankIsUnset, z.string().url().optional()),
    /** Base URL of an OpenAI-compatible API used for embeddings only (takes precedence over OPENAI_BASE_URL). */
    EMBEDDINGS_URL: z.preprocess(blankIsUnset, z.string().url().optional()),
    EMBEDDINGS_MODEL: z.preprocess(blankIsUnset, z.string().default('text-embedding-3-small')),
  })
  .parse(process.env);

const openAi: OpenAiEmbedderOptions | undefined =
  embeddingEnv.EMBEDDINGS_URL || embeddingEnv.OPENAI_API_KEY
    ? {
        baseUrl: embeddingEnv.EMBEDDINGS_URL ?? embeddingEnv.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
        apiKey: embeddingEnv.OPENAI_API_KEY,
        model: embeddingEnv.EMBEDDINGS_MODEL,
        dimensions: EMBEDDING_DIMENSIONS,
      }
    : undefined;

await runMcpService('qdrant', async ({ config, logger }) => {
  const embedder = createEmbedder({ openAi });
  const store = await openVectorStore(config, embedder.dimensions, logger);
  const library = new DocumentLibrary(store, embedder);
  logger.info({ embedder: embedder.id }, 'embedder ready');
  const foreign = await store.countForeignVectors(embedder.id);
  if (foreign > 0) {
    logger.warn(
      { chunks: foreign, embedder: embedder.id },
      'some stored vectors come from another embedder and will rank poorly in vector/hybrid search; ' +
        're-save those documents or start with the embedder they were written with',
    );
  }

  let topUp: NodeJS.Timeout | undefined;
  if (config.demo.enabled) {
    await seedDemoNews(library, config.simulator, logger);
    // New sessions close while the server runs: add their news every 15 minutes (a no-op when current).
    topUp = setInterval(
      () =>
        void seedDemoNews(library, config.simulator, logger).catch((err) =>
          logger.warn({ err }, 'news top-up failed'),
        ),
      15 * 60_000,
    );
    topUp.unref();
  }

  return {
    spec: documentServerSpec(library),
    health: async () => ({
      backend: store.backend,
      location: store.location,
      embedder: embedder.id,
      documents: await store.countByCollection(['public']),
    }),
    close: async () => {
      clearInterval(topUp);
      await store.close();
    },
  };
});
