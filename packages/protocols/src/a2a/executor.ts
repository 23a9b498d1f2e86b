import { TaskState } from '@a2a-js/sdk';
import { AgentEvent, type AgentExecutionEvent, type AgentExecutor } from '@a2a-js/sdk/server';
import { type Logger, toAppError } from '@stockpulse/core';
import { agentMessage, dataPart, setTaskState, textPart } from './events.js';

const TERMINAL = new Set<TaskState>([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);

/**
 * Wraps an executor so a thrown error ends the task as FAILED in our own error form: the status
 * message carries the AppError's message as text and `{ error: { code, message } }` as a data part,
 * which `sendText` on the calling side turns back into the same AppError. Unknown errors become
 * `internal` with a generic message (the SDK's own fallback would send the raw error text and
 * `console.error` it); they are logged here with the trace id.
 */
export function guardExecutor(executor: AgentExecutor, logger: Logger): AgentExecutor {
  return {
    cancelTask: (taskId, bus) => executor.cancelTask(taskId, bus),
    async execute(ctx, bus) {
      let opened = false;
      let ended = false;
      const watch = (event: AgentExecutionEvent) => {
        if (event.kind === 'task') opened = true;
        if (event.kind === 'message') ended = true;
        if (event.kind === 'statusUpdate' && event.data.status && TERMINAL.has(event.data.status.state))
          ended = true;
      };
      bus.on('event', watch);
      try {
        await executor.execute(ctx, bus);
      } catch (err) {
        const appErr = toAppError(err);
        if (appErr.code === 'internal') logger.error({ err, taskId: ctx.taskId }, 'agent executor failed');
        else
          logger.warn({ code: appErr.code, reason: appErr.message, taskId: ctx.taskId }, 'agent task failed');
        if (ended) return;
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
        bus.off('event', watch);
      }
    },
  };
}
