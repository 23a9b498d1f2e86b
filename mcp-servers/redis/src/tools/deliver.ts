import { AppError } from '@stockpulse/core';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { SHARED_TOPICS, type Store } from '../store/port.js';
import { messageId, payload, topic } from './schemas.js';

/**
 * Delivery of an event to one user's topic by a service of the mesh (e.g. the ledger publishing a
 * triggered price alert to that user's risk-alerts). A user can only publish to their own topics
 * (`stream_publish`); this tool needs the `service` scope and names the user explicitly.
 */
export function deliveryTools(store: Store) {
  return [
    defineTool({
      name: 'deliver_event',
      title: 'Deliver an event to a user',
      description:
        "Append an event to one user's topic (trade-executions, ai-insights or risk-alerts), as a service of " +
        'the mesh acting for the system (e.g. a triggered price alert). Needs the service scope.',
      scope: 'service',
      input: { userId: z.string().uuid(), topic, payload },
      output: { topic, id: messageId },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async ({ userId, topic, payload }) => {
        if (SHARED_TOPICS.has(topic))
          throw new AppError('forbidden', `'${topic}' is shared market data, not a user's topic`);
        return { topic, id: await store.publish(userId, topic, payload) };
      },
    }),
  ];
}
