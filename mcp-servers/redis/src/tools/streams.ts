import { AppError } from '@stockpulse/core';
import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { SHARED_TOPICS, type Store } from '../store/port.js';
import { batch, consumer, group, message, messageId, payload, reads, topic } from './schemas.js';

export function streamTools(store: Store) {
  return [
    defineTool({
      name: 'stream_publish',
      title: 'Publish event',
      description:
        'Append an event (a JSON object up to 16 KiB) to one of your topics: trade-executions, ai-insights, ' +
        'risk-alerts. (market-data is shared by everyone and written only by publish_quotes.) Each topic keeps ' +
        'its newest messages only (1000 by default).',
      input: { topic, payload },
      output: { topic, id: messageId },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async ({ topic, payload }, ctx) => {
        const tenant = requireUser(ctx.principal);
        if (SHARED_TOPICS.has(topic))
          throw new AppError(
            'forbidden',
            `'${topic}' is shared market data: it is written with publish_quotes`,
          );
        return { topic, id: await store.publish(tenant, topic, payload) };
      },
    }),
    defineTool({
      name: 'stream_read',
      title: 'Read events',
      description:
        'Read up to `count` new messages of a topic as `consumer` in consumer group `group` (the group is created ' +
        'on first read; groups are yours alone, also on the shared market-data topic, whose messages are ' +
        '`{ type: "quote", symbol, price, ts, ... }`). Consumers of one group share the messages. Every message stays pending for this consumer ' +
        'until stream_ack: delivery is at-least-once. An empty list means nothing new.',
      input: {
        topic,
        group,
        consumer,
        count: batch(10),
        groupStart: z
          .enum(['earliest', 'latest'])
          .default('earliest')
          .describe(
            'Only when this read creates the group: start at the oldest kept message, or after the newest',
          ),
      },
      output: { topic, group: z.string(), consumer: z.string(), messages: z.array(message) },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async ({ topic, group, consumer, count, groupStart }, ctx) => ({
        topic,
        group,
        consumer,
        messages: await store.readGroup(requireUser(ctx.principal), topic, group, consumer, count, {
          groupStart,
        }),
      }),
    }),
    defineTool({
      name: 'stream_ack',
      title: 'Acknowledge events',
      description:
        'Mark messages of a group as processed so they are never handed out again. Returns how many were ' +
        'pending (acking twice, or an unknown group, counts 0).',
      input: { topic, group, ids: z.array(messageId).min(1).max(100) },
      output: { topic, group: z.string(), acknowledged: z.number().int().min(0) },
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      handler: async ({ topic, group, ids }, ctx) => ({
        topic,
        group,
        acknowledged: await store.ack(requireUser(ctx.principal), topic, group, ids),
      }),
    }),
    defineTool({
      name: 'stream_pending',
      title: 'Pending events',
      description:
        'Messages of a group delivered but not yet acknowledged: the total, the id range, how many each consumer ' +
        'holds, and the `oldest` entries with their idle time and delivery count. not_found for an unknown group.',
      input: { topic, group, oldest: z.number().int().min(0).max(100).default(10) },
      output: {
        topic,
        group: z.string(),
        total: z.number().int().min(0),
        smallestId: messageId.nullable(),
        greatestId: messageId.nullable(),
        consumers: z.array(z.object({ name: z.string(), pending: z.number().int() })),
        oldest: z.array(
          z.object({
            id: messageId,
            consumer: z.string(),
            idleMs: z.number().int().min(0),
            deliveries: z.number().int().min(0),
          }),
        ),
      },
      annotations: reads,
      handler: async ({ topic, group, oldest }, ctx) => ({
        topic,
        group,
        ...(await store.pending(requireUser(ctx.principal), topic, group, oldest)),
      }),
    }),
    defineTool({
      name: 'stream_claim',
      title: 'Claim stalled events',
      description:
        'Take over pending messages idle for at least minIdleMs (their consumer likely died) and hand them to ' +
        '`consumer`, up to `count`. Process and stream_ack them. Page with nextCursor (null when done); ' +
        'deletedIds were trimmed from the topic before anyone acked them and are dropped.',
      input: {
        topic,
        group,
        consumer,
        minIdleMs: z
          .number()
          .int()
          .min(0)
          .max(7 * 86_400_000),
        count: batch(10),
        cursor: messageId.optional().describe('nextCursor of the previous claim'),
      },
      output: {
        topic,
        group: z.string(),
        consumer: z.string(),
        messages: z.array(message),
        nextCursor: messageId.nullable(),
        deletedIds: z.array(messageId),
      },
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      handler: async ({ topic, group, consumer, minIdleMs, count, cursor }, ctx) => ({
        topic,
        group,
        consumer,
        ...(await store.claim(requireUser(ctx.principal), topic, group, consumer, minIdleMs, count, cursor)),
      }),
    }),
  ];
}
