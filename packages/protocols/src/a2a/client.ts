import { randomUUID } from 'node:crypto';
import {
  type AgentCard,
  type Message,
  type Part,
  Role,
  type Task,
  TaskState,
  taskStateToJSON,
} from '@a2a-js/sdk';
import {
  type Client,
  ClientFactory,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransportFactory,
} from '@a2a-js/sdk/client';
import { AppError, isErrorCode, tracedFetch, traceHeaders } from '@stockpulse/core';
import { agentCardJson } from './card.js';
import { a2aErrorToAppError } from './errors.js';
import { dataPart, partsData, partsText, textPart } from './events.js';

export type { Client as A2AClient } from '@a2a-js/sdk/client';

export interface A2AClientOptions {
  /** The `Authorization` header value (`Bearer …`), or a function giving it per call (e.g. a token source). */
  authorization: string | (() => string | Promise<string>);
  /** Underlying fetch; default the global one. */
  fetch?: typeof fetch;
  /** Speak v0.3 JSON-RPC to agents whose card only offers v0.3. */
  legacyCompat?: boolean;
}

/**
 * An A2A client (the SDK's `Client`) for the agent at `target`: a base URL whose
 * `/.well-known/agent-card.json` is fetched, or an AgentCard already in hand (from the registry:
 * `parseAgentCard(json)`).
 * Every call carries `Authorization` and the current W3C trace context; the card fetch carries only
 * the trace. Failures to reach the agent or read its card are AppErrors.
 */
export async function createA2AClient(target: string | AgentCard, opts: A2AClientOptions): Promise<Client> {
  const baseFetch = opts.fetch ?? fetch;
  const authorization = opts.authorization;
  const authedFetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (!headers.has('authorization')) {
      headers.set('authorization', typeof authorization === 'string' ? authorization : await authorization());
    }
    for (const [k, v] of Object.entries(traceHeaders())) if (!headers.has(k)) headers.set(k, v);
    return baseFetch(input, { ...init, headers });
  };
  const cardFetch: typeof fetch = opts.fetch
    ? (input, init) => {
        const headers = new Headers(init?.headers);
        for (const [k, v] of Object.entries(traceHeaders())) if (!headers.has(k)) headers.set(k, v);
        return baseFetch(input, { ...init, headers });
      }
    : tracedFetch;
  const legacyCompat = opts.legacyCompat ? { enabled: true } : undefined;
  const factory = new ClientFactory({
    transports: [
      new JsonRpcTransportFactory({ fetchImpl: authedFetch, legacyCompat }),
      new RestTransportFactory({ fetchImpl: authedFetch, legacyCompat }),
    ],
    preferredTransports: ['JSONRPC'],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl: cardFetch, legacyCompat }),
  });
  const where = typeof target === 'string' ? target : target.name;
  try {
    if (typeof target === 'string') return await factory.createFromUrl(target);
    // The factory normalizes wire JSON (it re-reads ProtoJSON security schemes), so hand it that.
    return await factory.createFromAgentCard(agentCardJson(target) as unknown as AgentCard);
  } catch (e) {
    if (e instanceof TypeError)
      throw new AppError('unavailable', `Agent unreachable at ${where}`, { agent: where });
    throw new AppError('unavailable', `Cannot use agent ${where}: ${(e as Error).message}`, { agent: where });
  }
}

export interface SendTextOptions {
  /** Continue a conversation (the `contextId` of an earlier answer). */
  contextId?: string;
  /** Continue a task that asked for input (the `task.id` of an earlier answer). */
  taskId?: string;
  /** Structured input, sent as a data part after the text. */
  data?: unknown;
  metadata?: Record<string, unknown>;
  signal?: AbortSignal;
}

export interface A2AAnswer {
  task?: Task;
  message?: Message;
  /** ProtoJSON task state (`TASK_STATE_COMPLETED`, `TASK_STATE_INPUT_REQUIRED`, …); absent for a bare message. */
  state?: string;
  contextId: string;
  /** The text parts of the answer, joined by newlines. */
  text: string;
  /** The data parts of the answer, in order. */
  data: unknown[];
}

/**
 * Send one text turn and wait for the answer. The answer's parts are the reply message's, or else the
 * task's artifacts', or else (no artifacts) its status message's. A task that FAILED or was REJECTED
 * throws: with the AppError code the agent put in an `{ error: { code, message } }` data part (what
 * `mountA2A` does for a thrown error), else `unavailable` / `bad_request`. Transport and JSON-RPC
 * errors throw as AppErrors too (see `a2aErrorToAppError`).
 */
export async function sendText(client: Client, text: string, opts: SendTextOptions = {}): Promise<A2AAnswer> {
  const parts: Part[] = [textPart(text)];
  if (opts.data !== undefined) parts.push(dataPart(opts.data));
  let result: Message | Task;
  try {
    result = await client.sendMessage(
      {
        tenant: '',
        message: {
          messageId: randomUUID(),
          role: Role.ROLE_USER,
          contextId: opts.contextId ?? '',
          taskId: opts.taskId ?? '',
          parts,
          metadata: undefined,
          extensions: [],
          referenceTaskIds: [],
        },
        configuration: undefined,
        metadata: opts.metadata,
      },
      { signal: opts.signal },
    );
  } catch (e) {
    throw a2aErrorToAppError(e);
  }
  return answerOf(result);
}

/** The answer carried by a SendMessage result (see `sendText`). */
export function answerOf(result: Message | Task): A2AAnswer {
  if ('messageId' in result) {
    return {
      message: result,
      contextId: result.contextId,
      text: partsText(result.parts),
      data: partsData(result.parts),
    };
  }
  const fromArtifacts = result.artifacts.flatMap((a) => a.parts);
  const parts = fromArtifacts.length > 0 ? fromArtifacts : (result.status?.message?.parts ?? []);
  const state = result.status?.state ?? TaskState.TASK_STATE_UNSPECIFIED;
  const answer: A2AAnswer = {
    task: result,
    state: taskStateToJSON(state),
    contextId: result.contextId,
    text: partsText(parts),
    data: partsData(parts),
  };
  if (state === TaskState.TASK_STATE_FAILED || state === TaskState.TASK_STATE_REJECTED) {
    throw taskFailure(result, state, answer);
  }
  return answer;
}

function taskFailure(task: Task, state: TaskState, answer: A2AAnswer): AppError {
  const statusParts = task.status?.message?.parts ?? [];
  const details = { taskId: task.id, state: taskStateToJSON(state) };
  for (const d of [...partsData(statusParts), ...answer.data]) {
    const reported = (d as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (reported && isErrorCode(reported.code)) {
      return new AppError(reported.code, String(reported.message ?? partsText(statusParts)), details);
    }
  }
  const message = partsText(statusParts) || answer.text || 'The agent could not complete the task';
  return new AppError(
    state === TaskState.TASK_STATE_REJECTED ? 'bad_request' : 'unavailable',
    message,
    details,
  );
}
