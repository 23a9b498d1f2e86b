import { randomUUID } from 'node:crypto';
import {
  type ListTasksRequest,
  type ListTasksResponse,
  Task,
  TaskPushNotificationConfig,
  TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import {
  InMemoryPushNotificationStore,
  InMemoryTaskStore,
  type PushNotificationStore,
  type ServerCallContext,
  type StoredPushNotificationConfig,
} from '@a2a-js/sdk/server';
import { AppError, type Logger } from '@stockpulse/core';
import type { Principal } from '../auth/principal.js';
import type { McpCallOptions } from '../mcp/client.js';
import { PrincipalUser } from './principal.js';
import type { SharedTaskStore } from './task-store.js';

/** What the durable stores need of an MCP client: `McpToolClient` (postgres MCP server) fits. */
export interface AgentStateTools {
  call<T>(tool: string, args?: Record<string, unknown>, options?: McpCallOptions): Promise<T>;
}

export interface DurableStoreOptions {
  logger?: Logger;
}

/** States a stored task never leaves: a save over them is refused by the store (`keptFinal`). */
export const FINAL_TASK_STATES = [
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
].map(taskStateToJSON);

interface StoredTask {
  task: Record<string, unknown>;
}
interface TaskPage {
  items: Array<{ task?: Record<string, unknown> }>;
  nextCursor: string | null;
  total: number;
}
interface StoredPushConfig {
  configId: string;
  config: Record<string, unknown>;
  wireVersion: string;
}

/** Interrupted states: the turn is over, and the next one may run on any replica. */
const INTERRUPTED = new Set([TaskState.TASK_STATE_INPUT_REQUIRED, TaskState.TASK_STATE_AUTH_REQUIRED]);
const FINAL = new Set([
  TaskState.TASK_STATE_COMPLETED,
  TaskState.TASK_STATE_FAILED,
  TaskState.TASK_STATE_CANCELED,
  TaskState.TASK_STATE_REJECTED,
]);
/** A running task's copy is trusted this long after its last save (a turn that died leaves no trace). */
const HOT_TTL_MS = 60_000;
const HOT_MAX = 10_000;

/**
 * A2A tasks kept by the postgres MCP server's agent-state tools (`save_agent_task`,
 * `get_agent_task`, `list_agent_tasks`), called with the caller's own credential: the server files
 * each task under the user the token names, so another principal's task is simply absent (GetTask,
 * CancelTask, … answer TaskNotFound) and can never be overwritten. Tasks are stored as ProtoJSON
 * (camelCase, enum names). A task in a terminal state is final: a later save from a replica still
 * working on it is refused by the server, so a cancellation made on one replica sticks.
 *
 * Writes go through to the store on every event. While a turn runs in this process (from its first
 * save until it is final or interrupted), reads of that task are served from the copy this process
 * last wrote: it is the task's only writer then, and the SDK reads a task back before every event.
 * A cancellation written by another replica is not seen there; `loadShared` (what the executor's
 * cancel check uses) always asks the store, and the final-state rule keeps the cancellation.
 *
 * A principal without a user (a service token) has no row in the user-keyed store; its tasks are
 * kept in this process only.
 */
export function mcpTaskStore(tools: AgentStateTools, opts: DurableStoreOptions = {}): SharedTaskStore {
  const local = new InMemoryTaskStore();
  const running = new Map<string, { task: Task; at: number }>();
  const keyOf = (call: ServerCallContext, taskId: string) => `${userOf(call)}\u0000${taskId}`;

  const loadShared = async (taskId: string, call: ServerCallContext): Promise<Task | undefined> => {
    const auth = userAuthorization(call);
    if (!auth) return local.load(taskId, call);
    try {
      const stored = await tools.call<StoredTask>('get_agent_task', { taskId }, auth);
      return Task.fromJSON(stored.task);
    } catch (e) {
      // Absent, another user's, or not even a valid id: all read as "no such task".
      if (e instanceof AppError && (e.code === 'not_found' || e.code === 'bad_request')) return undefined;
      throw storeFailure(opts, 'get_agent_task', e);
    }
  };

  return {
    ownerScoped: true,
    loadShared,
    async save(task, call) {
      const auth = userAuthorization(call);
      if (!auth) return local.save(task, call);
      const key = keyOf(call, task.id);
      const result = await storeCall(opts, 'save_agent_task', () =>
        tools.call<{ keptFinal: boolean; state: string }>(
          'save_agent_task',
          { task: Task.toJSON(task), finalStates: FINAL_TASK_STATES },
          auth,
        ),
      ).catch((e: unknown) => {
        running.delete(key);
        throw e;
      });
      const state = task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
      if (result.keptFinal || FINAL.has(state) || INTERRUPTED.has(state)) {
        running.delete(key);
      } else {
        if (running.size >= HOT_MAX) running.delete(running.keys().next().value!);
        running.set(key, { task: structuredClone(task), at: Date.now() });
      }
      if (result.keptFinal) {
        opts.logger?.info(
          { taskId: task.id, kept: result.state, refused: stateName(task) },
          'a2a: task already final in the store; update dropped',
        );
      }
    },
    async load(taskId, call) {
      const auth = userAuthorization(call);
      if (auth) {
        const key = keyOf(call, taskId);
        const hot = running.get(key);
        if (hot && Date.now() - hot.at < HOT_TTL_MS) return structuredClone(hot.task);
        running.delete(key);
      }
      return loadShared(taskId, call);
    },
    async list(params: ListTasksRequest, call): Promise<ListTasksResponse> {
      const auth = userAuthorization(call);
      if (!auth) return local.list(params, call);
      const pageSize = params.pageSize ?? 50;
      const page = await storeCall(opts, 'list_agent_tasks', () =>
        tools.call<TaskPage>(
          'list_agent_tasks',
          {
            contextId: params.contextId || undefined,
            // UNSPECIFIED (0) means no filter.
            state: params.status ? taskStateToJSON(params.status) : undefined,
            statusAfter: params.statusTimestampAfter || undefined,
            includeTasks: true,
            limit: pageSize,
            cursor: params.pageToken || undefined,
          },
          auth,
        ),
      );
      const tasks = page.items.map((item) => {
        const task = Task.fromJSON(item.task ?? {});
        return params.includeArtifacts ? task : { ...task, artifacts: [] };
      });
      return { tasks, nextPageToken: page.nextCursor ?? '', pageSize, totalSize: page.total };
    },
  };
}

/**
 * Push-notification configs kept by the postgres MCP server (`save_push_config`,
 * `list_push_configs`, `delete_push_config`), per user like the tasks, with the A2A wire version
 * each was registered over (so a v0.3 webhook keeps getting v0.3 bodies). Service principals'
 * configs stay in this process.
 */
export function mcpPushConfigStore(
  tools: AgentStateTools,
  opts: DurableStoreOptions = {},
): PushNotificationStore {
  const local = new InMemoryPushNotificationStore();
  const loadWithMetadata = async (
    taskId: string,
    call: ServerCallContext,
  ): Promise<StoredPushNotificationConfig[]> => {
    const auth = userAuthorization(call);
    if (!auth) return local.loadWithMetadata(taskId, call);
    const { items } = await storeCall(opts, 'list_push_configs', () =>
      tools.call<{ items: StoredPushConfig[] }>('list_push_configs', { taskId }, auth),
    ).catch((e) => {
      if (e instanceof RequestMalformedError) return { items: [] };
      throw e;
    });
    return items.map((item) => ({
      config: TaskPushNotificationConfig.fromJSON(item.config),
      wireVersion: item.wireVersion,
    }));
  };
  return {
    loadWithMetadata,
    load: async (taskId, call) => (await loadWithMetadata(taskId, call)).map((c) => c.config),
    async save(taskId, call, config) {
      // The SDK reads the assigned id back from the object it passed in.
      if (!config.id) config.id = randomUUID();
      config.taskId = taskId;
      const auth = userAuthorization(call);
      if (!auth) return local.save(taskId, call, config);
      await storeCall(opts, 'save_push_config', () =>
        tools.call(
          'save_push_config',
          {
            taskId,
            configId: config.id,
            config: TaskPushNotificationConfig.toJSON(config) as Record<string, unknown>,
            wireVersion: call.requestedVersion || '1.0',
          },
          auth,
        ),
      );
    },
    async delete(taskId, call, configId) {
      const auth = userAuthorization(call);
      if (!auth) return local.delete(taskId, call, configId);
      await storeCall(opts, 'delete_push_config', () =>
        tools.call('delete_push_config', { taskId, configId: configId || undefined }, auth),
      );
    },
  };
}

/** The caller's own credential for the store, or undefined when the caller acts for no user. */
function userAuthorization(call: ServerCallContext): McpCallOptions | undefined {
  const principal = principalOfCall(call);
  if (!principal?.userId || !principal.token) return undefined;
  return { authorization: `Bearer ${principal.token}` };
}

function principalOfCall(call: ServerCallContext): Principal | undefined {
  return call.user instanceof PrincipalUser ? call.user.principal : undefined;
}

function userOf(call: ServerCallContext): string | undefined {
  return principalOfCall(call)?.userId;
}

/** Run a store call: the caller's bad input is -32602; anything else a generic failure, logged. */
async function storeCall<T>(opts: DurableStoreOptions, tool: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof AppError && e.code === 'bad_request') throw new RequestMalformedError(e.message);
    throw storeFailure(opts, tool, e);
  }
}

function storeFailure(opts: DurableStoreOptions, tool: string, e: unknown): Error {
  opts.logger?.error({ tool, err: (e as Error).message }, 'a2a: task store call failed');
  // The SDK answers unknown errors with their message: say nothing about the store's address.
  return new Error('The task store is unavailable; try again shortly');
}

function stateName(task: Task): string {
  return taskStateToJSON(task.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED);
}
