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

const pushConfig = z.object({
  taskId: z.string(),
  configId: z.string(),
  config: jsonObject,
  wireVersion: z.string(),
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
 * Durable agent state for the agents (not the person): A2A tasks, their push-notification configs
 * and conversation checkpoints, each stored for the user whose token the call carries (services
 * without a user are refused).
 */
export function agentStateTools(state: AgentState) {
  return [
    defineTool({
      name: 'save_agent_task',
      title: 'Save agent task',
      description:
        `Store an A2A task for the calling user, replacing the stored copy with the same id (max ${AGENT_STATE_LIMITS.taskBytes / 1024} KiB). ` +
        'Saving an unchanged task changes nothing. A stored task whose state is one of finalStates is never replaced ' +
        '(keptFinal), so a finished task stays finished. For agents keeping durable A2A tasks.',
      input: {
        task: a2aTask,
        finalStates: z
          .array(z.string().max(64))
          .max(16)
          .optional()
          .describe('States that, once stored, are final (e.g. the terminal task states)'),
      },
      output: {
        ...taskSummary.shape,
        created: z.boolean().describe('True when no task with this id existed'),
        keptFinal: z
          .boolean()
          .describe('True when the stored task was in a final state and was kept instead of replaced'),
      },
      annotations: agentWrite,
      handler: async ({ task, finalStates }, ctx) =>
        state.saveTask(requireUser(ctx.principal), task, { finalStates }),
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
        "The calling user's stored A2A tasks, most recent status first (status.timestamp), optionally by " +
        'context, state or status time; with includeTasks, each item carries the task JSON.',
      input: {
        contextId: opaqueId.optional(),
        state: z.string().max(64).optional(),
        statusAfter: timestamp.optional().describe('Only tasks whose status.timestamp is later than this'),
        includeTasks: z.boolean().default(false).describe('Include each task as saved'),
        limit,
        cursor,
      },
      output: {
        items: z.array(taskSummary.extend({ task: jsonObject.optional() })),
        nextCursor,
        total: z.number().int().describe('Tasks matching the filters, across all pages'),
      },
      annotations: readOnly,
      handler: async (args, ctx) => state.listTasks(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'save_push_config',
      title: 'Save push notification config',
      description:
        "Store an A2A push-notification config (webhook) of one of the calling user's tasks, replacing one with " +
        `the same configId (max ${AGENT_STATE_LIMITS.pushConfigsPerTask} per task, ${AGENT_STATE_LIMITS.pushConfigBytes / 1024} KiB each).`,
      input: {
        taskId: opaqueId,
        configId: opaqueId,
        config: jsonObject.describe('The TaskPushNotificationConfig as JSON (url, token, authentication...)'),
        wireVersion: z
          .string()
          .regex(/^\d+\.\d+$/)
          .default('1.0')
          .describe('A2A protocol version the config was registered over'),
      },
      output: pushConfig.shape,
      annotations: agentWrite,
      handler: async (args, ctx) => state.savePushConfig(requireUser(ctx.principal), args),
    }),
    defineTool({
      name: 'list_push_configs',
      title: 'List push notification configs',
      description: "The push-notification configs of one of the calling user's tasks, oldest first.",
      input: { taskId: opaqueId },
      output: { items: z.array(pushConfig) },
      annotations: readOnly,
      handler: async ({ taskId }, ctx) => ({
        items: await state.listPushConfigs(requireUser(ctx.principal), taskId),
      }),
    }),
    defineTool({
      name: 'delete_push_config',
      title: 'Delete push notification config',
      description:
        "Delete one push-notification config of the calling user's task, or all of the task's configs when " +
        'configId is omitted. Deleting what is not there deletes nothing.',
      input: { taskId: opaqueId, configId: opaqueId.optional() },
      output: { deleted: z.number().int().describe('Configs deleted') },
      annotations: agentWrite,
      handler: async ({ taskId, configId }, ctx) => ({
        deleted: await state.deletePushConfigs(requireUser(ctx.principal), taskId, configId),
      }),
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
