/**
 * Durable A2A tasks, in process and fast: two agent "replicas" (two mountA2A apps, each with its own
 * MCP client) over one real postgres MCP server (PGlite), real JWTs, the real SDK client. Proves the
 * store, the cross-replica cancel and the push configs without starting the whole mesh.
 */
import { randomUUID } from 'node:crypto';
import { type AgentCard, TaskState } from '@a2a-js/sdk';
import type { AgentExecutor } from '@a2a-js/sdk/server';
import { createLogger, createMetrics, createServiceApp, listen, type RunningServer } from '@stockpulse/core';
import { type Database, migrate } from '@stockpulse/db';
import { testBackends } from '@stockpulse/db/testing';
import {
  abortSignalOf,
  agentCard,
  createA2AClient,
  createPushSigner,
  finishTask,
  mcpPushConfigStore,
  mcpTaskStore,
  mountA2A,
  partsText,
  publishArtifact,
  startTask,
  textPart,
  verifyPushNotification,
} from '@stockpulse/protocols/a2a';
import { connectMcp, type McpToolClient } from '@stockpulse/protocols/mcp';
import { serveMcpSpec, startTestIssuer, type TestIssuer } from '@stockpulse/protocols/testing';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerServerSpec } from '../../mcp-servers/postgres/src/server.js';
import { ledgerStores } from '../../mcp-servers/postgres/src/store/index.js';
import { LEDGER_MIGRATIONS } from '../../mcp-servers/postgres/src/store/migrations.js';
import { messageJson, rpc, sendMessageRequest, waitFor } from './helpers.js';

const logger = createLogger('durable-test', 'silent');
const [, embedded] = testBackends('a2a_durable')[0]!;
const ALICE = randomUUID();
const BOB = randomUUID();
const SECRET = 'durable-test-secret-0123456789';

/** Work that waits for the test to let it finish, and stops when its task is cancelled. */
class GatedExecutor implements AgentExecutor {
  readonly aborted: string[] = [];
  readonly finished: string[] = [];
  private gate = deferred();

  release(): void {
    this.gate.resolve();
    this.gate = deferred();
  }

  async execute(ctx: Parameters<AgentExecutor['execute']>[0], bus: Parameters<AgentExecutor['execute']>[1]) {
    const text = partsText(ctx.userMessage.parts);
    startTask(ctx, bus);
    if (text === 'which account?' && !ctx.task) {
      finishTask(ctx, bus, TaskState.TASK_STATE_INPUT_REQUIRED, [textPart('Which account do you mean?')]);
      return;
    }
    if (text.startsWith('wait')) {
      const signal = abortSignalOf(ctx);
      await new Promise<void>((resolve, reject) => {
        this.gate.promise.then(resolve);
        signal.addEventListener('abort', () => {
          this.aborted.push(ctx.taskId);
          reject(signal.reason);
        });
      });
    }
    publishArtifact(ctx, bus, [textPart(`done: ${text}`)]);
    finishTask(ctx, bus);
    this.finished.push(ctx.taskId);
  }

  async cancelTask(taskId: string, bus: Parameters<AgentExecutor['cancelTask']>[1]) {
    finishTask({ taskId, contextId: '' }, bus, TaskState.TASK_STATE_CANCELED);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

interface Replica {
  url: string;
  executor: GatedExecutor;
  mcp: McpToolClient;
  server: RunningServer;
}

let db: Database;
let issuer: TestIssuer;
let mcpServer: { url: string; close(): Promise<void> };
let a: Replica;
let b: Replica;
const tokens = { alice: '', bob: '', service: '' };
let webhook: RunningServer;
const delivered: Array<{ authorization: string | null; body: string }> = [];

async function startReplica(name: string): Promise<Replica> {
  const executor = new GatedExecutor();
  const mcp = connectMcp(mcpServer.url, { name, sessionAuthorization: () => `Bearer ${tokens.service}` });
  const app = createServiceApp({ name, logger, metrics: createMetrics(name) });
  // Routes may be added until the first request: bind first, so the card and the signer know the URL.
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  mountA2A(app, {
    card: cardFor(server.url),
    executor,
    verify: issuer.verify,
    logger,
    taskStore: mcpTaskStore(mcp, { logger }),
    push: {
      // As the runtime does it: issuer = this replica's URL, the key shared by every replica.
      signer: await createPushSigner({
        issuer: server.url,
        key: { secret: SECRET, keyName: 'durable-agent' },
      }),
      store: mcpPushConfigStore(mcp, { logger }),
      retry: { baseDelayMs: 20 },
    },
    cancelPollMs: 100,
  });
  return { url: server.url, executor, mcp, server };
}

function cardFor(url: string): AgentCard {
  return agentCard({
    name: 'Durable Agent',
    description: 'Waits when told to',
    version: '1.0.0',
    publicUrl: url,
    skills: [{ id: 'wait', name: 'Wait', description: 'Waits until released' }],
  });
}

beforeAll(async () => {
  db = await embedded.open();
  await migrate(db, LEDGER_MIGRATIONS);
  issuer = await startTestIssuer();
  tokens.alice = await issuer.sign(ALICE, 'read trade');
  tokens.bob = await issuer.sign(BOB, 'read trade');
  tokens.service = await issuer.sign('service:durable-agent', 'service');
  mcpServer = await serveMcpSpec(ledgerServerSpec(ledgerStores(db)), issuer);
  a = await startReplica('replica-a');
  b = await startReplica('replica-b');
  const hooks = new Hono().post('/hook', async (c) => {
    delivered.push({ authorization: c.req.header('authorization') ?? null, body: await c.req.text() });
    return c.body(null, 204);
  });
  webhook = await listen(hooks, { port: 0, host: '127.0.0.1' });
}, 60_000);

afterAll(async () => {
  for (const r of [a, b]) {
    await r?.mcp.close();
    await r?.server.close();
  }
  await webhook?.close();
  await mcpServer?.close();
  await issuer?.close();
  await db?.close();
  await embedded.cleanup();
});

const as = (who: keyof typeof tokens) => ({ auth: `Bearer ${tokens[who]}` });

describe('durable tasks across replicas', () => {
  it('a task created on one replica is read and listed on the other, and by nobody else', async () => {
    const client = await createA2AClient(a.url, { authorization: `Bearer ${tokens.alice}` });
    const sent = await client.sendMessage(sendMessageRequest('hello'));
    const task = 'id' in sent ? sent : undefined;
    expect(task?.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);

    const got = await rpc(b.url, 'GetTask', { id: task!.id }, as('alice'));
    expect(got.json.result).toMatchObject({
      id: task!.id,
      contextId: task!.contextId,
      status: { state: 'TASK_STATE_COMPLETED' },
      artifacts: [{ parts: [{ text: 'done: hello' }] }],
    });
    expect(got.json.result.history.map((m: { role: string }) => m.role)).toContain('ROLE_USER');
    const listed = await rpc(b.url, 'ListTasks', { contextId: task!.contextId }, as('alice'));
    expect(listed.json.result).toMatchObject({ tasks: [{ id: task!.id }], totalSize: 1, nextPageToken: '' });

    expect((await rpc(b.url, 'GetTask', { id: task!.id }, as('bob'))).json.error.code).toBe(-32001);
    expect((await rpc(a.url, 'ListTasks', {}, as('bob'))).json.result).toMatchObject({
      tasks: [],
      totalSize: 0,
    });
    expect((await rpc(b.url, 'CancelTask', { id: task!.id }, as('bob'))).json.error.code).toBe(-32001);
  });

  it('pages ListTasks with a cursor, newest first, artifacts only when asked', async () => {
    const contextId = `ctx-${randomUUID()}`;
    for (const text of ['one', 'two', 'three']) {
      await rpc(a.url, 'SendMessage', messageJson(text, { contextId }), as('alice'));
    }
    const first = await rpc(b.url, 'ListTasks', { contextId, pageSize: 2 }, as('alice'));
    expect(first.json.result.tasks).toHaveLength(2);
    expect(first.json.result.totalSize).toBe(3);
    expect(first.json.result.tasks[0].artifacts).toBeUndefined();
    const second = await rpc(
      a.url,
      'ListTasks',
      { contextId, pageSize: 2, pageToken: first.json.result.nextPageToken, includeArtifacts: true },
      as('alice'),
    );
    expect(second.json.result).toMatchObject({ nextPageToken: '', tasks: [{ artifacts: [{}] }] });
    const texts = [...first.json.result.tasks, ...second.json.result.tasks].map(
      (t: { history: Array<{ parts: Array<{ text: string }> }> }) => t.history[0]!.parts[0]!.text,
    );
    expect(texts).toEqual(['three', 'two', 'one']);
    const bad = await rpc(a.url, 'ListTasks', { pageToken: 'garbage' }, as('alice'));
    expect(bad.json.error.code).toBe(-32602);
  });

  it('continues an input-required task on the other replica with the same task and context ids', async () => {
    const asked = await rpc(a.url, 'SendMessage', messageJson('which account?'), as('alice'));
    const task = asked.json.result.task;
    expect(task.status.state).toBe('TASK_STATE_INPUT_REQUIRED');
    const answered = await rpc(
      b.url,
      'SendMessage',
      messageJson('the brokerage one', { taskId: task.id, contextId: task.contextId }),
      as('alice'),
    );
    expect(answered.json.result.task).toMatchObject({
      id: task.id,
      contextId: task.contextId,
      status: { state: 'TASK_STATE_COMPLETED' },
    });
    const again = await rpc(a.url, 'SendMessage', messageJson('more', { taskId: task.id }), as('alice'));
    expect(again.json.error.code).toBe(-32004);
  });

  it('a cancellation on one replica stops the work running on the other, and sticks', async () => {
    const started = await rpc(
      a.url,
      'SendMessage',
      { ...messageJson('wait for me'), configuration: { returnImmediately: true } },
      as('alice'),
    );
    const id = started.json.result.task.id;
    await waitFor(
      async () =>
        (await rpc(b.url, 'GetTask', { id }, as('alice'))).json.result?.status.state === 'TASK_STATE_WORKING',
    );

    const canceled = await rpc(b.url, 'CancelTask', { id }, as('alice'));
    expect(canceled.json.result.status.state).toBe('TASK_STATE_CANCELED');
    await waitFor(() => a.executor.aborted.includes(id));
    a.executor.release();
    await new Promise((r) => setTimeout(r, 200));
    const after = await rpc(a.url, 'GetTask', { id }, as('alice'));
    expect(after.json.result.status.state).toBe('TASK_STATE_CANCELED');
    expect(after.json.result.artifacts).toBeUndefined();
    expect(a.executor.finished).not.toContain(id);
    expect(
      (await rpc(a.url, 'CancelTask', { id: (await completedTask()).id }, as('alice'))).json.error.code,
    ).toBe(-32002);
  });

  it('a task whose replica died stays readable and cancellable on the survivor', async () => {
    const doomed = await startReplica('replica-doomed');
    const started = await rpc(
      doomed.url,
      'SendMessage',
      { ...messageJson('wait forever'), configuration: { returnImmediately: true } },
      as('alice'),
    );
    const id = started.json.result.task.id;
    await waitFor(
      async () =>
        (await rpc(b.url, 'GetTask', { id }, as('alice'))).json.result?.status.state === 'TASK_STATE_WORKING',
    );
    await doomed.server.close();
    await doomed.mcp.close();

    const read = await rpc(b.url, 'GetTask', { id }, as('alice'));
    expect(read.json.result).toMatchObject({ id, status: { state: 'TASK_STATE_WORKING' } });
    expect((await rpc(b.url, 'CancelTask', { id }, as('alice'))).json.result.status.state).toBe(
      'TASK_STATE_CANCELED',
    );
  });
});

describe('push notifications across replicas', () => {
  it('a webhook registered on one replica gets the other replica’s signed updates', async () => {
    const started = await rpc(
      a.url,
      'SendMessage',
      { ...messageJson('wait to be watched'), configuration: { returnImmediately: true } },
      as('alice'),
    );
    const id = started.json.result.task.id;
    const hook = `${webhook.url}/hook`;
    const created = await rpc(
      b.url,
      'CreateTaskPushNotificationConfig',
      { taskId: id, url: hook, token: 'tok' },
      as('alice'),
    );
    expect(created.json.result).toMatchObject({ taskId: id, url: hook, token: 'tok' });
    const configId = created.json.result.id;
    expect(configId).toBeTruthy();
    expect(
      (await rpc(a.url, 'GetTaskPushNotificationConfig', { taskId: id, id: configId }, as('alice'))).json
        .result,
    ).toMatchObject({ id: configId, url: hook });
    expect(
      (await rpc(a.url, 'ListTaskPushNotificationConfigs', { taskId: id }, as('bob'))).json.error.code,
    ).toBe(-32001);

    a.executor.release();
    await waitFor(() =>
      delivered.some((d) => JSON.parse(d.body).statusUpdate?.status?.state === 'TASK_STATE_COMPLETED'),
    );
    for (const d of delivered) {
      // Signed by replica A (the one running the task), verified against A's published JWKS.
      const claims = await verifyPushNotification(d, { issuer: a.url, audience: hook });
      expect(claims.taskId).toBe(id);
    }
    const deleted = await rpc(
      b.url,
      'DeleteTaskPushNotificationConfig',
      { taskId: id, id: configId },
      as('alice'),
    );
    expect(deleted.json).toMatchObject({ result: null });
    expect(
      (await rpc(a.url, 'ListTaskPushNotificationConfigs', { taskId: id }, as('alice'))).json.result
        .configs ?? [],
    ).toEqual([]);
  });

  it('refuses a webhook that is not http(s), storing nothing', async () => {
    const task = await completedTask();
    const res = await rpc(
      a.url,
      'CreateTaskPushNotificationConfig',
      { taskId: task.id, url: 'file:///etc/passwd' },
      as('alice'),
    );
    expect(res.json.error.code).toBe(-32602);
    const listed = await rpc(b.url, 'ListTaskPushNotificationConfigs', { taskId: task.id }, as('alice'));
    expect(listed.json.result.configs ?? []).toEqual([]);
  });
});

async function completedTask(): Promise<{ id: string }> {
  const res = await rpc(a.url, 'SendMessage', messageJson('quick'), as('alice'));
  return res.json.result.task;
}
