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
} as const;

/** The fields of an A2A Task this store indexes; the rest is kept verbatim. */
export interface A2ATaskLike {
  id: string;
  contextId: string;
  status?: { state?: string };
  [key: string]: unknown;
}

export interface AgentTaskSummary {
  taskId: string;
  contextId: string;
  state: string;
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

  /** Insert or replace a task. Saving the same task again changes nothing (not even updatedAt). */
  async saveTask(userId: string, task: A2ATaskLike): Promise<AgentTaskSummary & { created: boolean }> {
    const json = sizeCheck('task', task, AGENT_STATE_LIMITS.taskBytes);
    const state = task.status?.state ?? 'unknown';
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<TaskRow & { created: boolean }>(
        `INSERT INTO agent_tasks (user_id, task_id, context_id, state, task) VALUES ($1, $2, $3, $4, $5::jsonb)
         ON CONFLICT (user_id, task_id) DO UPDATE
           SET context_id = excluded.context_id, state = excluded.state, task = excluded.task, updated_at = now()
           WHERE agent_tasks.task IS DISTINCT FROM excluded.task OR agent_tasks.context_id <> excluded.context_id
         RETURNING task_id, context_id, state, created_at, updated_at, 0::int8 AS at_us, (xmax = 0) AS created`,
        [userId, task.id, task.contextId, state, json],
      );
      if (rows[0]) return { ...toSummary(rows[0]), created: rows[0].created };
      // Unchanged: the upsert's WHERE skipped the row.
      const same = await tx.query<TaskRow>(
        `SELECT task_id, context_id, state, created_at, updated_at, 0::int8 AS at_us
         FROM agent_tasks WHERE user_id = $1 AND task_id = $2`,
        [userId, task.id],
      );
      return { ...toSummary(same.rows[0]!), created: false };
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

  async listTasks(
    userId: string,
    opts: { contextId?: string; state?: string; limit: number; cursor?: string },
  ) {
    const after = decodeCursor(opts.cursor);
    const { rows } = await this.db.query<TaskRow>(
      `SELECT task_id, context_id, state, created_at, updated_at, ${micros('updated_at')} AS at_us
       FROM agent_tasks WHERE user_id = $1
         AND ($2::text IS NULL OR context_id = $2) AND ($3::text IS NULL OR state = $3)
         AND ($4::int8 IS NULL OR (updated_at, task_id) < (${fromMicros('$4')}, $5::text))
       ORDER BY updated_at DESC, task_id DESC LIMIT $6`,
      [
        userId,
        opts.contextId ?? null,
        opts.state ?? null,
        after?.atMicros ?? null,
        after?.id ?? null,
        opts.limit + 1,
      ],
    );
    return page(rows, opts.limit, (r) => ({ atMicros: r.at_us, id: r.task_id }), toSummary);
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
