import type {
  EventId,
  EventStore,
  StreamId,
} from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * Resumability for one Streamable HTTP session: the last `capacity` SSE events, so a client whose
 * stream dropped can reconnect with `Last-Event-ID` and receive what it missed. Oldest events are
 * dropped first; a cursor older than the window cannot be resumed (the SDK answers 400).
 * In memory, so it resumes across dropped connections, not across a server restart.
 */
export class BoundedEventStore implements EventStore {
  private readonly events = new Map<EventId, { streamId: StreamId; message: JSONRPCMessage }>();
  private seq = 0;

  constructor(private readonly capacity = 1000) {}

  async storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const id = String(++this.seq);
    this.events.set(id, { streamId, message });
    if (this.events.size > this.capacity) {
      const oldest = this.events.keys().next().value;
      if (oldest !== undefined) this.events.delete(oldest);
    }
    return id;
  }

  async getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    return this.events.get(eventId)?.streamId;
  }

  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    const last = this.events.get(lastEventId);
    if (!last) return '';
    const after = Number(lastEventId);
    for (const [id, ev] of this.events) {
      // Priming events carry an empty message: they only mark a cursor, there is nothing to replay.
      if (Number(id) > after && ev.streamId === last.streamId && Object.keys(ev.message).length > 0) {
        await send(id, ev.message);
      }
    }
    return last.streamId;
  }

  get size(): number {
    return this.events.size;
  }
}
