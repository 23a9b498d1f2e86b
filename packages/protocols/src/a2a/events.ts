import { randomUUID } from 'node:crypto';
import { type Message, type Part, Role, type Task, TaskState } from '@a2a-js/sdk';
import { AgentEvent, type ExecutionEventBus, type RequestContext } from '@a2a-js/sdk/server';

/**
 * Small builders for what an AgentExecutor publishes. The SDK's types are ProtoJSON-shaped (every
 * field present, enums as numbers); these fill the defaults so an executor reads as its intent.
 */

export function textPart(text: string): Part {
  return {
    content: { $case: 'text', value: text },
    mediaType: 'text/plain',
    filename: '',
    metadata: undefined,
  };
}

export function dataPart(data: unknown): Part {
  return {
    content: { $case: 'data', value: data },
    mediaType: 'application/json',
    filename: '',
    metadata: undefined,
  };
}

/** Text of the text parts, joined by newlines. */
export function partsText(parts: readonly Part[]): string {
  return parts.flatMap((p) => (p.content?.$case === 'text' ? [p.content.value] : [])).join('\n');
}

/** Values of the data parts, in order. */
export function partsData(parts: readonly Part[]): unknown[] {
  return parts.flatMap((p) => (p.content?.$case === 'data' ? [p.content.value as unknown] : []));
}

type TaskRef = Pick<RequestContext, 'taskId' | 'contextId'>;

export function agentMessage(ref: TaskRef, parts: Part[], opts: { inTask?: boolean } = {}): Message {
  return {
    messageId: randomUUID(),
    role: Role.ROLE_AGENT,
    contextId: ref.contextId,
    taskId: opts.inTask === false ? '' : ref.taskId,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

/** Reply with a single message and no task (the stream ends with it). */
export function replyWithMessage(ctx: RequestContext, bus: ExecutionEventBus, parts: Part[]): void {
  bus.publish(AgentEvent.message(agentMessage(ctx, parts, { inTask: false })));
}

/**
 * Open the task for this turn: the SDK requires a `task` event first on every turn, then we mark it
 * working. A follow-up turn re-publishes the existing task.
 */
export function startTask(ctx: RequestContext, bus: ExecutionEventBus): void {
  const task: Task = ctx.task ?? {
    id: ctx.taskId,
    contextId: ctx.contextId,
    status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: now() },
    artifacts: [],
    history: [],
    metadata: undefined,
  };
  bus.publish(AgentEvent.task(task));
  setTaskState(ctx, bus, TaskState.TASK_STATE_WORKING);
}

export function publishArtifact(
  ctx: TaskRef,
  bus: ExecutionEventBus,
  parts: Part[],
  opts: {
    name?: string;
    description?: string;
    artifactId?: string;
    append?: boolean;
    lastChunk?: boolean;
  } = {},
): void {
  bus.publish(
    AgentEvent.artifactUpdate({
      taskId: ctx.taskId,
      contextId: ctx.contextId,
      artifact: {
        artifactId: opts.artifactId ?? randomUUID(),
        name: opts.name ?? 'answer',
        description: opts.description ?? '',
        parts,
        metadata: undefined,
        extensions: [],
      },
      append: opts.append ?? false,
      lastChunk: opts.lastChunk ?? true,
      metadata: undefined,
    }),
  );
}

/** Publish a status update; `parts` become the status message (e.g. the question when input is required). */
export function setTaskState(ctx: TaskRef, bus: ExecutionEventBus, state: TaskState, parts?: Part[]): void {
  bus.publish(
    AgentEvent.statusUpdate({
      taskId: ctx.taskId,
      contextId: ctx.contextId,
      status: { state, message: parts ? agentMessage(ctx, parts) : undefined, timestamp: now() },
      metadata: undefined,
    }),
  );
}

/**
 * End the turn in a terminal or interrupted state (default: completed). The request handler settles
 * the bus when `execute` returns (keeping it open for input-/auth-required), so executors don't call
 * `bus.finished()` themselves.
 */
export function finishTask(
  ctx: TaskRef,
  bus: ExecutionEventBus,
  state: TaskState = TaskState.TASK_STATE_COMPLETED,
  parts?: Part[],
): void {
  setTaskState(ctx, bus, state, parts);
}

function now(): string {
  return new Date().toISOString();
}
