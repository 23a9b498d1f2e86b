import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import { TaskNotFoundError } from '@a2a-js/sdk/errors';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';
import { ownerOf } from './principal.js';

/**
 * A TaskStore that already files every task under its caller (a store keyed by user, like
 * `mcpTaskStore`): `mountA2A` uses it as is instead of wrapping it in `ownedTaskStore`.
 */
export interface OwnerScopedTaskStore extends TaskStore {
  readonly ownerScoped: true;
}

export function isOwnerScoped(store: TaskStore): store is OwnerScopedTaskStore {
  return (store as Partial<OwnerScopedTaskStore>).ownerScoped === true;
}

/**
 * A store shared by replicas whose `load` may answer from this process's own copy of a running
 * task; `loadShared` always reads what every replica sees (to notice another replica's cancel).
 */
export interface SharedTaskStore extends OwnerScopedTaskStore {
  loadShared(taskId: string, call: ServerCallContext): Promise<Task | undefined>;
}

/** What every replica sees of a task: `loadShared` when the store has it, else `load`. */
export function loadShared(
  store: TaskStore,
  taskId: string,
  call: ServerCallContext,
): Promise<Task | undefined> {
  const shared = (store as Partial<SharedTaskStore>).loadShared;
  return shared ? shared(taskId, call) : store.load(taskId, call);
}

/** Task metadata key holding the owner's subject; stripped before a task leaves the store. */
export const TASK_OWNER_KEY = 'stockpulse.owner';

/**
 * A TaskStore in which every task belongs to the principal that created it. The owner's subject is
 * stamped into the stored task's metadata (so it survives in a persistent store) and checked on every
 * read: another principal's task reads as absent, so GetTask / CancelTask / SubscribeToTask / push
 * configs / follow-up messages answer TaskNotFound (A2A: "MUST NOT reveal the existence of resources
 * the client is not authorized to access"), and a save can never overwrite it.
 *
 * `list` filters what the inner store returns. The SDK's own stores (InMemoryTaskStore,
 * DatabaseTaskStore) already scope by `context.user`, which keeps pagination exact; an inner store
 * that does not may return short pages.
 */
export function ownedTaskStore(inner: TaskStore): TaskStore {
  const owns = (task: Task | undefined, call: ServerCallContext): task is Task =>
    task !== undefined && task.metadata?.[TASK_OWNER_KEY] === ownerOf(call);

  return {
    async load(taskId, call) {
      const task = await inner.load(taskId, call);
      return owns(task, call) ? withoutOwner(task) : undefined;
    },
    async save(task, call) {
      const existing = await inner.load(task.id, call);
      if (existing && !owns(existing, call)) throw new TaskNotFoundError(`Task not found: ${task.id}`);
      await inner.save({ ...task, metadata: { ...task.metadata, [TASK_OWNER_KEY]: ownerOf(call) } }, call);
    },
    async list(params: ListTasksRequest, call): Promise<ListTasksResponse> {
      const page = await inner.list(params, call);
      const tasks = page.tasks.filter((t) => owns(t, call));
      return {
        ...page,
        tasks: tasks.map(withoutOwner),
        totalSize: page.totalSize - (page.tasks.length - tasks.length),
      };
    },
  };
}

function withoutOwner(task: Task): Task {
  const { [TASK_OWNER_KEY]: _owner, ...rest } = task.metadata ?? {};
  return { ...task, metadata: rest };
}
