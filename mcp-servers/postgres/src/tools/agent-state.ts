import { requireUser } from '@stockpulse/protocols/auth';
import { defineTool } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { AGENT_STATE_LIMITS, type AgentState } from '../store/agent-state.js';
import { cursor, limit, nextCursor, readOnly, timestamp } from './schemas.js';

/** Task ids, context ids, thread ids and checkpoint ids: opaque, printable, bounded. */
const opaqueId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:@/+=-]+$/);
const jsonObject = z.record(z.string(), z.unknown());

const taskSummary = z.object({
  taskId: z.string(),
  contextId: z.string(),
  state: z.string().describe("The task's status.state when saved"),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const a2aTask = z
  .looseObject({
    id: opaqueId,
    contextId: opaqueId,
    status: z.looseObject({ state: z.string().max(64).optional() }).optional(),
  })
  .describe('An A2A Task as JSON (id, contextId, status, history, artifacts, metadata...)');

const agentWrite = {
  readOnlyHint: false,
  destructiveHint: true,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/**
 * Durable agent state for the agents (not the person): A2A tasks and conversation checkpoints, each
 * stored for the user whose token the call carries (services without a user are refused).
 */
export function agentStateTools(state: AgentState) {
  return [
    defineTool({
      name: 'save_agent_task',
      title: 'Save agent task',
      description:
        `Store an A2A task for the calling user, replacing the stored copy with the same id (max ${AGENT_STATE_LIMITS.taskBytes / 1024} KiB). ` +
        'Saving an unchanged task changes nothing. For agents keeping durable A2A tasks.',
      input: { task: a2aTask },
      output: {
        ...taskSummary.shape,
        created: z.boolean().describe('True when no task with this id existed'),
      },
      annotations: agentWrite,
      handler: async ({ task }, ctx) => state.saveTask(requireUser(ctx.principal), task),
    }),
    defineTool({
      name: 'get_agent_task',
      title: 'Get agent task',
      description: 'A stored A2A task of the calling user, as saved.',
      input: { taskId: opaqueId },
      output: { ...taskSummary.shape, task: jsonObject },
      annotations: readOnly,
      handler: async ({ taskId }, ctx) => state.getTask(requireUser(ctx.principal), taskId),
    }),
    defineTool({
      name: 'list_agent_tasks',
      title: 'List agent tasks',
      description:
        "The calling user's stored A2A tasks, most recently updated first, optionally by context or state.",
      input: { contextId: opaqueId.optional(), state: z.string().max(64).optional(), limit, cursor },
      output: { items: z.array(taskSummary), nextCursor },
      annotations: readOnly,
      handler: async (args, ctx) => state.listTasks(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'save_checkpoint',
      title: 'Save checkpoint',
      description:
        'Store a conversation checkpoint of a thread for the calling user (replacing one with the same ' +
        `checkpointId); only the newest ${AGENT_STATE_LIMITS.checkpointsPerThread} per thread are kept.`,
      input: {
        threadId: opaqueId,
        checkpointId: opaqueId,
        parentId: opaqueId.optional().describe('The checkpoint this one follows'),
        checkpoint: jsonObject.describe('The checkpoint state'),
        metadata: jsonObject.optional(),
      },
      output: {
        threadId: z.string(),
        checkpointId: z.string(),
        parentId: z.string().nullable(),
        createdAt: timestamp,
        pruned: z.number().int().describe('Older checkpoints of this thread dropped by this save'),
      },
      annotations: agentWrite,
      handler: async (args, ctx) => state.saveCheckpoint(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'get_checkpoint',
      title: 'Get checkpoint',
      description:
        "The newest checkpoint of one of the calling user's threads, or the one named by checkpointId.",
      input: { threadId: opaqueId, checkpointId: opaqueId.optional() },
      output: {
        threadId: z.string(),
        checkpointId: z.string(),
        parentId: z.string().nullable(),
        checkpoint: jsonObject,
        metadata: jsonObject,
        createdAt: timestamp,
      },
      annotations: readOnly,
      handler: async (args, ctx) =>
        state.getCheckpoint(requireUser(ctx.principal), args.threadId, args.checkpointId),
    }),
  ];
}
