import { AppError } from '@stockpulse/core';
import {
  type AgentExecutor,
  dataPart,
  type ExecutionEventBus,
  finishTask,
  partsText,
  principalOf,
  publishArtifact,
  type RequestContext,
  startTask,
  TaskState,
  textPart,
} from '@stockpulse/protocols/a2a';
import { type AssistantGraph, runTurn } from './brain/graph.js';

/** The user-assistant as an A2A agent: the same turn as the chat, for external agents acting for a user. */
export class UserAssistantExecutor implements AgentExecutor {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly graph: AssistantGraph) {}

  async execute(ctx: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const principal = principalOf(ctx);
    if (!principal.userId || !principal.token)
      throw new AppError('forbidden', 'The assistant acts for a user');
    const text = partsText(ctx.userMessage.parts).trim();
    if (!text) throw new AppError('bad_request', 'Send the request as a text part');
    const abort = new AbortController();
    this.running.set(ctx.taskId, abort);
    startTask(ctx, bus);
    try {
      // The A2A context is the conversation: an order previewed in one turn is confirmed in the next.
      const result = await runTurn(this.graph, {
        text,
        authorization: `Bearer ${principal.token}`,
        threadId: ctx.contextId,
        signal: abort.signal,
      });
      const parts = [textPart(result.text)];
      if (result.data) parts.push(dataPart(result.data));
      if (result.awaitingConfirmation) {
        // Multi-turn: the task waits for "confirm" or "cancel" with the same taskId and contextId.
        finishTask(ctx, bus, TaskState.TASK_STATE_INPUT_REQUIRED, parts);
      } else {
        publishArtifact(ctx, bus, parts, { name: 'answer' });
        finishTask(ctx, bus, TaskState.TASK_STATE_COMPLETED);
      }
    } finally {
      this.running.delete(ctx.taskId);
    }
  }

  async cancelTask(taskId: string, bus: ExecutionEventBus): Promise<void> {
    this.running.get(taskId)?.abort();
    finishTask({ taskId, contextId: '' }, bus, TaskState.TASK_STATE_CANCELED);
  }
}
