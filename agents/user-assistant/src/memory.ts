import { randomUUID } from 'node:crypto';
import { AppError } from '@stockpulse/core';
import type { McpToolClient } from '@stockpulse/protocols/mcp';

/** An order the person was shown a preview of and has not yet confirmed or declined. */
export interface PendingOrder {
  /** The exact request previewed (with its clientOrderId); only this request may be placed. */
  request: Record<string, unknown>;
  confirmationToken: string;
  expiresAt: string;
  /** One line describing it, for "that order" replies. */
  summary: string;
}

/** What the assistant remembers of a conversation between turns. */
export interface Conversation {
  pendingOrder?: PendingOrder;
}

/**
 * Conversation memory between turns. The assistant itself is stateless: memory is a checkpoint per
 * thread in the ledger (postgres MCP server), stored for the user whose token the turn carries, so
 * any replica can continue any conversation and a restart loses nothing.
 */
export interface ConversationStore {
  load(threadId: string, authorization: string): Promise<Conversation>;
  save(threadId: string, authorization: string, conversation: Conversation): Promise<void>;
}

export class McpConversationStore implements ConversationStore {
  constructor(private readonly ledger: McpToolClient) {}

  async load(threadId: string, authorization: string): Promise<Conversation> {
    try {
      const saved = await this.ledger.call<{ checkpoint: Conversation }>(
        'get_checkpoint',
        { threadId },
        { authorization },
      );
      return saved.checkpoint;
    } catch (e) {
      if (e instanceof AppError && e.code === 'not_found') return {};
      throw e;
    }
  }

  async save(threadId: string, authorization: string, conversation: Conversation): Promise<void> {
    await this.ledger.call(
      'save_checkpoint',
      { threadId, checkpointId: randomUUID(), checkpoint: conversation },
      { authorization },
    );
  }
}

/** In-process memory, for tests of the brain alone. */
export class InMemoryConversationStore implements ConversationStore {
  private readonly threads = new Map<string, Conversation>();
  async load(threadId: string, authorization: string) {
    return structuredClone(this.threads.get(`${authorization}|${threadId}`) ?? {});
  }
  async save(threadId: string, authorization: string, conversation: Conversation) {
    this.threads.set(`${authorization}|${threadId}`, structuredClone(conversation));
  }
}
