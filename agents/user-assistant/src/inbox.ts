import type { Logger } from '@stockpulse/core';
import type { McpToolClient } from '@stockpulse/protocols/mcp';

const TOPIC = 'risk-alerts';
const GROUP = 'assistant';
const CONSUMER = 'assistant';

interface StreamMessage {
  id: string;
  payload: { type?: string; message?: string };
}

/**
 * What happened while the person was away: triggered alerts waiting on their `risk-alerts` stream
 * (the redis MCP server, read with their own token, so only their events). The assistant tells them at
 * the start of its next answer and then acknowledges the events (delivery is at least once).
 */
export interface AlertInbox {
  take(authorization: string, signal?: AbortSignal): Promise<{ lines: string[]; ack(): Promise<void> }>;
}

export class StreamAlertInbox implements AlertInbox {
  constructor(
    private readonly redis: McpToolClient,
    private readonly logger?: Logger,
  ) {}

  async take(authorization: string, signal?: AbortSignal) {
    const none = { lines: [] as string[], ack: async () => {} };
    let messages: StreamMessage[];
    try {
      ({ messages } = await this.redis.call<{ messages: StreamMessage[] }>(
        'stream_read',
        { topic: TOPIC, group: GROUP, consumer: CONSUMER, count: 10 },
        { authorization, signal },
      ));
    } catch (err) {
      // Alerts are an extra: without the stream the turn still answers.
      this.logger?.warn({ err: (err as Error).message }, 'reading risk alerts failed');
      return none;
    }
    if (messages.length === 0) return none;
    return {
      lines: messages.map((m) => `🔔 ${m.payload.message ?? 'An alert fired.'}`),
      ack: async () => {
        await this.redis
          .call(
            'stream_ack',
            { topic: TOPIC, group: GROUP, ids: messages.map((m) => m.id) },
            { authorization },
          )
          .catch((err) =>
            this.logger?.warn({ err: (err as Error).message }, 'acknowledging risk alerts failed'),
          );
      },
    };
  }
}
