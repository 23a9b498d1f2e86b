import { TaskState, taskStateToJSON } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutionEvent,
  type AgentExecutor,
  type ExecutionEventBus,
  type RequestContext,
  type TaskStore,
} from '@a2a-js/sdk/server';
import { type Logger, type Metrics, toAppError } from '@stockpulse/core';
import { agentMessage, dataPart, setTaskState, textPart } from './events.js';
import { loadShared } from './task-store.js';

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

export const DEFAULT_CANCEL_POLL_MS = 1_000;

export interface GuardExecutorOptions {
  /**
   * The task store, to notice while a task runs that it was cancelled through another replica (that
   * replica can only mark it CANCELED in the shared store): checked every `cancelPollMs`.
   */
  taskStore?: TaskStore;
  /** Default 1000 ms; 0 turns the check off. */
  cancelPollMs?: number;
  metrics?: Metrics;
}

const signals = new WeakMap<RequestContext, AbortSignal>();
const NEVER = new AbortController().signal;

/**
 * The signal of a running turn: aborted when the task is cancelled (CancelTask on this replica, or
 * on another one, noticed through the store). Pass it into the work (LangGraph `signal`, MCP calls,
 * delegations) so a cancellation stops it.
 */
export function abortSignalOf(ctx: RequestContext): AbortSignal {
  return signals.get(ctx) ?? NEVER;
}

/**
 * Wraps an executor so that
 * - a thrown error ends the task as FAILED in our own error form: the status message carries the
 *   AppError's message as text and `{ error: { code, message } }` as a data part, which `sendText`
 *   on the calling side turns back into the same AppError. Unknown errors become `internal` with a
 *   generic message (the SDK's own fallback would send the raw error text and `console.error` it);
 *   they are logged here with the trace id;
 * - every turn has an AbortSignal (`abortSignalOf(ctx)`), aborted by CancelTask before the inner
 *   executor's own `cancelTask` runs, and by a cancellation seen in the shared task store;
 * - `a2a_task_executions_total{outcome}` counts how turns ended.
 */
export function guardExecutor(
  executor: AgentExecutor,
  logger: Logger,
  opts: GuardExecutorOptions = {},
): AgentExecutor {
  const running = new Map<string, AbortController>();
  const pollMs = opts.cancelPollMs ?? DEFAULT_CANCEL_POLL_MS;
  const executions = opts.metrics?.counter(
    'a2a_task_executions_total',
    'A2A turns run by this agent, by how they ended',
    ['outcome'],
  );

  const cancel = async (taskId: string, bus: ExecutionEventBus) => {
    running.get(taskId)?.abort(new DOMException('The task was cancelled', 'AbortError'));
    await executor.cancelTask(taskId, bus);
  };

  return {
    cancelTask: cancel,
    async execute(ctx, bus) {
      const abort = new AbortController();
      running.set(ctx.taskId, abort);
      signals.set(ctx, abort.signal);
      let opened = false;
      let ended = false;
      let outcome = 'unknown';
      const watch = (event: AgentExecutionEvent) => {
        if (event.kind === 'task') opened = true;
        if (event.kind === 'message') {
          ended = true;
          outcome = 'message';
        }
        if (event.kind === 'statusUpdate' && event.data.status) {
          const state = event.data.status.state;
          outcome = taskStateToJSON(state)
            .replace(/^TASK_STATE_/, '')
            .toLowerCase();
          if (TERMINAL.has(state)) ended = true;
        }
      };
      bus.on('event', watch);
      const stopWatching = watchForRemoteCancel(ctx, bus, {
        store: opts.taskStore,
        pollMs,
        isDone: () => ended || abort.signal.aborted,
        cancel,
        logger,
      });
      try {
        await executor.execute(ctx, bus);
      } catch (err) {
        if (ended) return;
        const appErr = toAppError(err);
        if (appErr.code === 'internal') logger.error({ err, taskId: ctx.taskId }, 'agent executor failed');
        else
          logger.warn({ code: appErr.code, reason: appErr.message, taskId: ctx.taskId }, 'agent task failed');
        const parts = [
          textPart(appErr.message),
          dataPart({ error: { code: appErr.code, message: appErr.message } }),
        ];
        if (!opened) {
          bus.publish(
            AgentEvent.task({
              id: ctx.taskId,
              contextId: ctx.contextId,
              status: {
                state: TaskState.TASK_STATE_FAILED,
                message: agentMessage(ctx, parts),
                timestamp: new Date().toISOString(),
              },
              artifacts: [],
              history: ctx.task?.history ?? [],
              metadata: undefined,
            }),
          );
        }
        setTaskState(ctx, bus, TaskState.TASK_STATE_FAILED, parts);
      } finally {
        stopWatching();
        bus.off('event', watch);
        if (running.get(ctx.taskId) === abort) running.delete(ctx.taskId);
        executions?.inc({ outcome });
      }
    },
  };
}

/** Poll the store while a turn runs; a task someone marked CANCELED there is cancelled here. */
function watchForRemoteCancel(
  ctx: RequestContext,
  bus: ExecutionEventBus,
  w: {
    store?: TaskStore;
    pollMs: number;
    isDone: () => boolean;
    cancel: (taskId: string, bus: ExecutionEventBus) => Promise<void>;
    logger: Logger;
  },
): () => void {
  const store = w.store;
  if (!store || w.pollMs <= 0) return () => {};
  let checking = false;
  const timer = setInterval(async () => {
    if (checking || w.isDone()) return;
    checking = true;
    try {
      const stored = await loadShared(store, ctx.taskId, ctx.context);
      if (stored?.status?.state === TaskState.TASK_STATE_CANCELED && !w.isDone()) {
        w.logger.info({ taskId: ctx.taskId }, 'a2a: task was cancelled elsewhere; stopping it');
        await w.cancel(ctx.taskId, bus);
      }
    } catch (e) {
      w.logger.debug({ taskId: ctx.taskId, err: (e as Error).message }, 'a2a: cancel check failed');
    } finally {
      checking = false;
    }
  }, w.pollMs);
  timer.unref();
  return () => clearInterval(timer);
}
