/**
 * The A2A kit: serve an agent (`mountA2A`, `agentCard`), keep its tasks durable (`mcpTaskStore`,
 * `mcpPushConfigStore`), sign its push notifications (`createPushSigner`), write its executor
 * (`principalOf`, `abortSignalOf`, part and task-event builders), and call other agents
 * (`createA2AClient`, `sendText`). Decisions: README.md.
 */
export type { AgentCard, Message, Part, Task } from '@a2a-js/sdk';
export { TaskState } from '@a2a-js/sdk';
export type { AgentExecutor, ExecutionEventBus, RequestContext, TaskStore } from '@a2a-js/sdk/server';
export {
  type AgentCardOptions,
  type AgentSkillSpec,
  agentCard,
  agentCardJson,
  DEFAULT_A2A_PATH,
  legacyAgentCardJson,
  parseAgentCard,
  SECURITY_SCHEME,
} from './card.js';
export {
  type A2AAnswer,
  type A2AClient,
  type A2AClientOptions,
  answerOf,
  createA2AClient,
  type SendTextOptions,
  sendText,
} from './client.js';
export {
  type AgentStateTools,
  type DurableStoreOptions,
  FINAL_TASK_STATES,
  mcpPushConfigStore,
  mcpTaskStore,
} from './durable-store.js';
export { A2A_ERROR, a2aErrorToAppError, jsonRpcError } from './errors.js';
export {
  agentMessage,
  dataPart,
  finishTask,
  partsData,
  partsText,
  publishArtifact,
  replyWithMessage,
  setTaskState,
  startTask,
  textPart,
} from './events.js';
export {
  abortSignalOf,
  DEFAULT_CANCEL_POLL_MS,
  type GuardExecutorOptions,
  guardExecutor,
} from './executor.js';
export { PrincipalUser, principalOf } from './principal.js';
export {
  BODY_SHA256_CLAIM,
  checkedPushStore,
  createPushSigner,
  DEFAULT_PUSH_RETRY,
  NOTIFICATION_TOKEN_HEADER,
  PUSH_JWKS_ROUTE,
  type PushClaims,
  type PushRetryPolicy,
  type PushSigner,
  type PushSignerOptions,
  signedPushSender,
  type VerifyPushOptions,
  verifyPushNotification,
} from './push.js';
export {
  AGENT_CARD_ROUTE,
  DEFAULT_MAX_BODY_BYTES,
  type MountA2AOptions,
  mountA2A,
  type PushOptions,
} from './server.js';
export {
  isOwnerScoped,
  loadShared,
  type OwnerScopedTaskStore,
  ownedTaskStore,
  type SharedTaskStore,
  TASK_OWNER_KEY,
} from './task-store.js';
