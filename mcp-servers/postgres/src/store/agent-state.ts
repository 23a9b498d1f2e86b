import { AppError } from '@stockpulse/core';
import type { Database } from '@stockpulse/db';
import { decodeCursor, fromMicros, micros, page } from './cursor.js';

export const AGENT_STATE_LIMITS = {
  /** Serialized A2A task, bytes. */
  taskBytes: 256 * 1024,
  /** Serialized checkpoint plus metadata, bytes. */
  checkpointBytes: 1024 * 1024,
  /** Checkpoints kept per thread; older ones are dropped when a new one is saved. */
  checkpointsPerThread: 20,
  /** Push-notification configs per task. */
  pushConfigsPerTask: 10,
  /** Serialized push-notification config, bytes. */
  pushConfigBytes: 16 * 1024,
} as const;

/** The fields of an A2A Task this store indexes; the rest is kept verbatim. */
export interface A2ATaskLike {
  id: string;
  contextId: string;
  status?: { state?: string; timestamp?: string };
  [key: string]: unknown;
}

export interface AgentTaskSummary {
  taskId: string;
  contextId: string;
  state: string;
  createdAt: string;
  updatedAt: string;
}

export interface PushConfig {
  taskId: string;
  configId: string;
  config: Record<string, unknown>;
  wireVersion: string;
  createdAt: string;
  updatedAt: string;
}

export interface Checkpoint {
  threadId: string;
  checkpointId: string;
  parentId: string | null;
  checkpoint: Record<string, unknown>;
  metadata: Record<string, unknown>;
  createdAt: string;
}

interface TaskRow {
  task_id: string;
  context_id: string;
  state: string;
  created_at: Date;
  updated_at: Date;
  at_us: number;
  task?: Record<string, unknown>;
}

interface PushConfigRow {
  task_id: string;
  config_id: string;
  config: Record<string, unknown>;
  wire_version: string;
  created_at: Date;
  updated_at: Date;
}

const toPushConfig = (r: PushConfigRow): PushConfig => ({
  taskId: r.task_id,
  configId: r.config_id,
  config: r.config,
  wireVersion: r.wire_version,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toSummary = (r: TaskRow): AgentTaskSummary => ({
  taskId: r.task_id,
  contextId: r.context_id,
  state: r.state,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

function sizeCheck(what: string, value: unknown, max: number): string {
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > max)
    throw new AppError('bad_request', `The ${what} is larger than ${max} bytes`);
  return json;
}

/**
 * Durable agent state, per owner: A2A tasks (the JSON an A2A task store keeps) and conversation
 * checkpoints by thread. The key always includes the user, so one user can neither read nor
 * overwrite another's task or thread, even knowing its id.
 */
export class AgentState {
  constructor(readonly db: Database) {}

  /**
   * Insert or replace a task. Saving the same task again changes nothing (not even updatedAt). A task
   * stored in one of `finalStates` is never replaced (`keptFinal`), so a late writer (a replica still
   * working on a task another one cancelled) cannot bring a finished task back.
   */
  async saveTask(
    userId: string,
    task: A2ATaskLike,
    opts: { finalStates?: readonly string[] } = {},
  ): Promise<AgentTaskSummary & { created: boolean; keptFinal: boolean }> {
    const json = sizeCheck('task', task, AGENT_STATE_LIMITS.taskBytes);
    const state = task.status?.state ?? 'unknown';
    const finalStates = [...(opts.finalStates ?? [])];
    const statusAt = Date.parse(String(task.status?.timestamp ?? ''));
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<TaskRow & { created: boolean }>(
        `INSERT INTO agent_tasks (user_id, task_id, context_id, state, task, status_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, coalesce($7::timestamptz, now()))
         ON CONFLICT (user_id, task_id) DO UPDATE
           SET context_id = excluded.context_id, state = excluded.state, task = excluded.task, updated_at = now(),
               status_at = excluded.status_at
           WHERE (agent_tasks.task IS DISTINCT FROM excluded.task OR agent_tasks.context_id <> excluded.context_id)
             AND NOT (agent_tasks.state = ANY($6::text[]))
         RETURNING task_id, context_id, state, created_at, updated_at, 0::int8 AS at_us, (xmax = 0) AS created`,
        [
          userId,
          task.id,
          task.contextId,
          state,
          json,
          finalStates,
          Number.isNaN(statusAt) ? null : new Date(statusAt).toISOString(),
        ],
      );
      if (rows[0]) return { ...toSummary(rows[0]), created: rows[0].created, keptFinal: false };
      // Unchanged (the same task) or kept (a final one): the upsert's WHERE skipped the row.
      const same = await tx.query<TaskRow & { same: boolean }>(
        `SELECT task_id, context_id, state, created_at, updated_at, 0::int8 AS at_us,
                (task = $3::jsonb AND context_id = $4) AS same
         FROM agent_tasks WHERE user_id = $1 AND task_id = $2`,
        [userId, task.id, json, task.contextId],
      );
      const row = same.rows[0]!;
      return { ...toSummary(row), created: false, keptFinal: !row.same && finalStates.includes(row.state) };
    });
  }

  async getTask(userId: string, taskId: string) {
    const { rows } = await this.db.query<TaskRow & { task: Record<string, unknown> }>(
      `SELECT task_id, context_id, state, created_at, updated_at, 0::int8 AS at_us, task
       FROM agent_tasks WHERE user_id = $1 AND task_id = $2`,
      [userId, taskId],
    );
    if (!rows[0]) throw new AppError('not_found', 'No such task');
    return { ...toSummary(rows[0]), task: rows[0].task };
  }

  /**
   * The user's tasks, most recent status first (the task's `status.timestamp`, else when it was
   * saved). `statusAfter` keeps tasks whose status changed later than that; `includeTasks` adds each
   * task's JSON; `total` counts every match of the filters, across pages.
   */
  async listTasks(
    userId: string,
    opts: {
      contextId?: string;
      state?: string;
      statusAfter?: string;
      includeTasks?: boolean;
      limit: number;
      cursor?: string;
    },
  ) {
    const after = decodeCursor(opts.cursor);
    let statusAfter: string | null = null;
    if (opts.statusAfter !== undefined) {
      const t = Date.parse(opts.statusAfter);
      if (Number.isNaN(t)) throw new AppError('bad_request', 'statusAfter must be an ISO 8601 timestamp');
      statusAfter = new Date(t).toISOString();
    }
    const filters = `user_id = $1 AND ($2::text IS NULL OR context_id = $2) AND ($3::text IS NULL OR state = $3)
         AND ($4::timestamptz IS NULL OR status_at > $4::timestamptz)`;
    const filterArgs = [userId, opts.contextId ?? null, opts.state ?? null, statusAfter];
    const { rows } = await this.db.query<TaskRow>(
      `SELECT task_id, context_id, state, created_at, updated_at, ${micros('status_at')} AS at_us
              ${opts.includeTasks ? ', task' : ''}
       FROM agent_tasks WHERE ${filters}
         AND ($5::int8 IS NULL OR (status_at, task_id) < (${fromMicros('$5')}, $6::text))
       ORDER BY status_at DESC, task_id DESC LIMIT $7`,
      [...filterArgs, after?.atMicros ?? null, after?.id ?? null, opts.limit + 1],
    );
    const count = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM agent_tasks WHERE ${filters}`,
      filterArgs,
    );
    const result = page(
      rows,
      opts.limit,
      (r) => ({ atMicros: r.at_us, id: r.task_id }),
      (r) => (opts.includeTasks ? { ...toSummary(r), task: r.task! } : toSummary(r)),
    );
    return { ...result, total: count.rows[0]!.n };
  }

  /**
   * Store a push-notification config of a task for the user, replacing one with the same id; at most
   * `pushConfigsPerTask` per task.
   */
  async savePushConfig(
    userId: string,
    c: { taskId: string; configId: string; config: Record<string, unknown>; wireVersion: string },
  ): Promise<PushConfig> {
    const json = sizeCheck('push notification config', c.config, AGENT_STATE_LIMITS.pushConfigBytes);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<PushConfigRow>(
        `INSERT INTO agent_push_configs (user_id, task_id, config_id, config, wire_version)
         VALUES ($1, $2, $3, $4::jsonb, $5)
         ON CONFLICT (user_id, task_id, config_id) DO UPDATE
           SET config = excluded.config, wire_version = excluded.wire_version, updated_at = now()
         RETURNING task_id, config_id, config, wire_version, created_at, updated_at`,
        [userId, c.taskId, c.configId, json, c.wireVersion],
      );
      const count = await tx.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM agent_push_configs WHERE user_id = $1 AND task_id = $2',
        [userId, c.taskId],
      );
      if (count.rows[0]!.n > AGENT_STATE_LIMITS.pushConfigsPerTask) {
        throw new AppError(
          'bad_request',
          `A task may have at most ${AGENT_STATE_LIMITS.pushConfigsPerTask} push notification configs`,
        );
      }
      return toPushConfig(rows[0]!);
    });
  }

  /** The push-notification configs of one of the user's tasks, oldest first. */
  async listPushConfigs(userId: string, taskId: string): Promise<PushConfig[]> {
    const { rows } = await this.db.query<PushConfigRow>(
      `SELECT task_id, config_id, config, wire_version, created_at, updated_at FROM agent_push_configs
       WHERE user_id = $1 AND task_id = $2 ORDER BY created_at, config_id`,
      [userId, taskId],
    );
    return rows.map(toPushConfig);
  }

  /** Delete one config of a task, or (no `configId`) all of them; answers how many went. */
  async deletePushConfigs(userId: string, taskId: string, configId?: string): Promise<number> {
    const { rowCount } = await this.db.query(
      `DELETE FROM agent_push_configs WHERE user_id = $1 AND task_id = $2 AND ($3::text IS NULL OR config_id = $3)`,
      [userId, taskId, configId ?? null],
    );
    return rowCount;
  }

  /**
   * Save a checkpoint of a thread (replacing one with the same id) and keep only the newest
   * `checkpointsPerThread` of that thread, in one transaction.
   */
  async saveCheckpoint(
    userId: string,
    c: {
      threadId: string;
      checkpointId: string;
      parentId?: string;
      checkpoint: Record<string, unknown>;
      metadata?: Record<string, unknown>;
    },
  ) {
    const metadata = c.metadata ?? {};
    sizeCheck('checkpoint', { c: c.checkpoint, m: metadata }, AGENT_STATE_LIMITS.checkpointBytes);
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ created_at: Date }>(
        `INSERT INTO agent_checkpoints (user_id, thread_id, checkpoint_id, parent_id, checkpoint, metadata)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
         ON CONFLICT (user_id, thread_id, checkpoint_id) DO UPDATE
           SET parent_id = excluded.parent_id, checkpoint = excluded.checkpoint, metadata = excluded.metadata
         RETURNING created_at`,
        [
          userId,
          c.threadId,
          c.checkpointId,
          c.parentId ?? null,
          JSON.stringify(c.checkpoint),
          JSON.stringify(metadata),
        ],
      );
      const pruned = await tx.query(
        `DELETE FROM agent_checkpoints WHERE user_id = $1 AND thread_id = $2 AND seq NOT IN (
           SELECT seq FROM agent_checkpoints WHERE user_id = $1 AND thread_id = $2 ORDER BY seq DESC LIMIT $3)`,
        [userId, c.threadId, AGENT_STATE_LIMITS.checkpointsPerThread],
      );
      return {
        threadId: c.threadId,
        checkpointId: c.checkpointId,
        parentId: c.parentId ?? null,
        createdAt: rows[0]!.created_at.toISOString(),
        pruned: pruned.rowCount,
      };
    });
  }

  /** The newest checkpoint of a thread, or the one named. */
  async getCheckpoint(userId: string, threadId: string, checkpointId?: string): Promise<Checkpoint> {
    const { rows } = await this.db.query<{
      thread_id: string;
      checkpoint_id: string;
      parent_id: string | null;
      checkpoint: Record<string, unknown>;
      metadata: Record<string, unknown>;
      created_at: Date;
    }>(
      `SELECT thread_id, checkpoint_id, parent_id, checkpoint, metadata, created_at FROM agent_checkpoints
       WHERE user_id = $1 AND thread_id = $2 AND ($3::text IS NULL OR checkpoint_id = $3)
       ORDER BY seq DESC LIMIT 1`,
      [userId, threadId, checkpointId ?? null],
    );
    const r = rows[0];
    if (!r)
      throw new AppError('not_found', checkpointId ? 'No such checkpoint' : 'No checkpoint for this thread');
    return {
      threadId: r.thread_id,
      checkpointId: r.checkpoint_id,
      parentId: r.parent_id,
      checkpoint: r.checkpoint,
      metadata: r.metadata,
      createdAt: r.created_at.toISOString(),
    };
  }
}
