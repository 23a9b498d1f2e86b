/**
 * A2A v1.0 conformance, JSON-RPC binding: the MUST checks of the A2A TCK (ids in brackets, e.g.
 * [CORE-SEND-002]) re-created against the real mesh, once per public surface: the portfolio-manager
 * and the user-assistant directly, and the gateway's public A2A endpoint (with an API key, as an
 * external agent would call it). One mesh for the file; the SDK client where it exposes the
 * behaviour, raw fetch where it would hide the wire (status codes, headers, exact JSON).
 *
 * Work is held mid-task by a gate on the market-data MCP server (`get_latest_quotes`), which is how
 * the suite gets tasks that are still running (cancel, subscribe, non-blocking send).
 *
 *   npx vitest run test/a2a-conformance/conformance.test.ts
 */
import { randomUUID } from 'node:crypto';
import { TaskState } from '@a2a-js/sdk';
import { localBaseUrl } from '@stockpulse/cli';
import { type A2AClient, createA2AClient, verifyPushNotification } from '@stockpulse/protocols/a2a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestMesh, type TestMesh } from '../harness/mesh.js';
import { type GateProxy, startGateProxy } from './gate-proxy.js';
import {
  messageJson,
  post,
  type RpcOptions,
  rpc,
  sendMessageRequest,
  sseEvents,
  type WireJson,
  waitFor,
} from './helpers.js';
import { apiKeyFor, demoUserToken, serviceToken, startWebhook } from './mesh-fixtures.js';

const QUESTION = 'What is my portfolio worth?';
const TERMINAL = ['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_CANCELED', 'TASK_STATE_REJECTED'];

let mesh: TestMesh;
let gate: GateProxy;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
const creds = { user: '', apiKey: '', stranger: '' };

beforeAll(async () => {
  gate = await startGateProxy('get_latest_quotes');
  webhook = await startWebhook();
  mesh = await startTestMesh({ env: { MCP_TIMESCALE_URL: gate.url } });
  gate.upstream = localBaseUrl(mesh.config, Number(mesh.env.MCP_TIMESCALE_PORT));
  creds.user = await demoUserToken(mesh);
  creds.apiKey = await apiKeyFor(mesh, creds.user);
  creds.stranger = await serviceToken(mesh, 'conformance-probe');
}, 240_000);

afterAll(async () => {
  await gate?.shutdown();
  await mesh?.stop();
  await webhook?.close();
});

interface Target {
  name: 'portfolio-manager' | 'user-assistant' | 'gateway';
  url: () => string;
  /** The caller the tasks belong to. */
  auth: () => string;
  /** Who signs this surface's push notifications (the agent behind the gateway signs for it). */
  pushIssuer: () => string;
}

const TARGETS: Target[] = [
  {
    name: 'portfolio-manager',
    url: () => mesh.urls['portfolio-manager']!,
    auth: () => `Bearer ${creds.user}`,
    pushIssuer: () => mesh.urls['portfolio-manager']!,
  },
  {
    name: 'user-assistant',
    url: () => mesh.urls['user-assistant']!,
    auth: () => `Bearer ${creds.user}`,
    pushIssuer: () => mesh.urls['user-assistant']!,
  },
  {
    name: 'gateway',
    url: () => mesh.urls.gateway!,
    auth: () => `Bearer ${creds.apiKey}`,
    pushIssuer: () => mesh.urls['user-assistant']!,
  },
];

describe.each(TARGETS)('A2A JSON-RPC conformance: $name', (target) => {
  const url = () => target.url();
  const owner = (): RpcOptions => ({ auth: target.auth() });
  const stranger = (): RpcOptions => ({ auth: `Bearer ${creds.stranger}` });
  const call = (method: string, params: unknown, opts: Partial<RpcOptions> = {}) =>
    rpc(url(), method, params, { ...owner(), ...opts });
  let client: A2AClient;
  let completed: WireJson;

  /** A task held mid-work by the gate (the gate stays closed until the caller opens it). */
  async function runningTask(): Promise<WireJson> {
    gate.close();
    const seen = gate.seen;
    const res = await call('SendMessage', {
      ...messageJson(QUESTION),
      configuration: { returnImmediately: true },
    });
    const task = res.json.result?.task;
    expect(task, JSON.stringify(res.json)).toBeDefined();
    expect(TERMINAL).not.toContain(task.status.state);
    await waitFor(() => gate.seen > seen, 15_000);
    return task;
  }

  async function taskCount(): Promise<number> {
    return (await call('ListTasks', { pageSize: 1 })).json.result.totalSize;
  }

  beforeAll(async () => {
    client = await createA2AClient(url(), { authorization: target.auth() });
  });

  describe('agent card [CARD-DISC-001, CARD-STRUCT-001, CARD-PROTO-001/002]', () => {
    it('is served without credentials, with the required fields and a JSON-RPC 1.0 interface at /a2a', async () => {
      const res = await fetch(`${url()}/.well-known/agent-card.json`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const card = await res.json();
      expect(card).toMatchObject({
        name: expect.any(String),
        description: expect.any(String),
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        capabilities: { streaming: true, pushNotifications: true },
        defaultInputModes: expect.arrayContaining(['text/plain']),
        defaultOutputModes: expect.arrayContaining(['text/plain']),
      });
      expect(card.supportedInterfaces).toContainEqual(
        expect.objectContaining({ url: `${url()}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }),
      );
      expect(card.skills.length).toBeGreaterThan(0);
      for (const skill of card.skills) {
        expect(skill).toMatchObject({
          id: expect.any(String),
          name: expect.any(String),
          description: expect.any(String),
        });
        expect(skill.tags.length).toBeGreaterThan(0);
      }
      // Security: schemes declared and required, both carried in Authorization.
      expect(Object.keys(card.securitySchemes)).toEqual(expect.arrayContaining(['bearer', 'apiKey']));
      expect(card.securitySchemes.bearer).toMatchObject({ httpAuthSecurityScheme: { scheme: 'Bearer' } });
      expect(card.securityRequirements.length).toBeGreaterThan(0);
      expectCamelCase(card);
    });

    it('GetExtendedAgentCard answers UnsupportedOperation when the card does not offer one [CORE-CAP-003]', async () => {
      const res = await call('GetExtendedAgentCard', {});
      expect(res.json.error.code).toBe(-32004);
    });
  });

  describe('SendMessage [CORE-SEND-001, CORE-EXECUTION-MODE-001/002, JSONRPC-FMT-001/002]', () => {
    it('returns the finished task, blocking by default (SDK client)', async () => {
      const result = await client.sendMessage(sendMessageRequest(QUESTION));
      expect('id' in result).toBe(true);
      const task = result as Extract<typeof result, { id: string }>;
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(task.id).toMatch(/\S/);
      expect(task.contextId).toMatch(/\S/);
      expect(task.artifacts.length).toBeGreaterThan(0);
      expect(task.history.some((m) => m.role === 1)).toBe(true); // ROLE_USER
    });

    it('answers JSON-RPC 2.0 with the request id, application/json, one of task|message, enums as strings', async () => {
      const res = await call('SendMessage', messageJson(QUESTION), { id: 'req-42' });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', id: 'req-42' });
      expect(Object.keys(res.json.result)).toEqual(['task']);
      const task = res.json.result.task;
      expect(task.status.state).toBe('TASK_STATE_COMPLETED');
      expect(task.history.map((m: WireJson) => m.role)).toContain('ROLE_USER');
      for (const m of task.history) expect(m.role).toMatch(/^ROLE_(USER|AGENT)$/);
      expect(task.status.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expectCamelCase(task);
      completed = task;
    });

    it('returns at once with a running task when returnImmediately is set', async () => {
      try {
        const task = await runningTask();
        expect(['TASK_STATE_SUBMITTED', 'TASK_STATE_WORKING']).toContain(task.status.state);
      } finally {
        gate.open();
      }
    });
  });

  describe('SendStreamingMessage [CORE-STREAM-001/003, JSONRPC-SSE-001, STREAM-ORDER-001]', () => {
    it('streams JSON-RPC responses over SSE: the task first, updates, and a terminal status last', async () => {
      const res = await fetch(`${url()}/a2a`, {
        method: 'POST',
        headers: {
          authorization: target.auth(),
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'a2a-version': '1.0',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'SendStreamingMessage',
          params: messageJson(QUESTION),
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = sseEvents(await res.text());
      expect(events.length).toBeGreaterThanOrEqual(3);
      for (const e of events) {
        expect(e.event).toBe('message');
        expect(e.data).toMatchObject({ jsonrpc: '2.0', id: 7 });
        expect(Object.keys(e.data.result)).toHaveLength(1);
      }
      const results = events.map((e) => e.data.result);
      expect(Object.keys(results[0])).toEqual(['task']);
      for (const r of results.slice(1))
        expect(['statusUpdate', 'artifactUpdate']).toContain(Object.keys(r)[0]);
      const last = results.at(-1);
      expect(last.statusUpdate.status.state).toBe('TASK_STATE_COMPLETED');
      expect(results.some((r) => r.artifactUpdate)).toBe(true);
      const taskId = results[0].task.id;
      for (const r of results.slice(1)) expect((r.statusUpdate ?? r.artifactUpdate).taskId).toBe(taskId);
    });

    it('streams the same through the SDK client', async () => {
      const kinds: string[] = [];
      for await (const event of client.sendMessageStream(sendMessageRequest(QUESTION))) {
        kinds.push(event.payload!.$case);
      }
      expect(kinds[0]).toBe('task');
      expect(kinds.at(-1)).toBe('statusUpdate');
    });
  });

  describe('GetTask [CORE-GET-001/002, CORE-HIST-002]', () => {
    it('returns the task with its status and artifacts', async () => {
      const task = await client.getTask({ tenant: '', id: completed.id });
      expect(task).toMatchObject({ id: completed.id, contextId: completed.contextId });
      expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
      expect(task.artifacts.length).toBeGreaterThan(0);
    });

    it('returns no more history than historyLength', async () => {
      const one = await call('GetTask', { id: completed.id, historyLength: 1 });
      expect((one.json.result.history ?? []).length).toBeLessThanOrEqual(1);
      const none = await call('GetTask', { id: completed.id, historyLength: 0 });
      expect(none.json.result.history ?? []).toEqual([]);
    });

    it('answers TaskNotFound (-32001) for an unknown id and InvalidParams (-32602) for none', async () => {
      const res = await call('GetTask', { id: `missing-${randomUUID()}` });
      expect(res.json.error).toMatchObject({ code: -32001, message: expect.any(String) });
      expect((await call('GetTask', {})).json.error.code).toBe(-32602);
    });
  });

  describe('ListTasks [CORE-LIST-001..005]', () => {
    it('lists the caller’s tasks newest first, with a cursor, and no artifacts unless asked', async () => {
      const all = await call('ListTasks', { pageSize: 100 });
      const tasks: WireJson[] = all.json.result.tasks;
      expect(tasks.map((t) => t.id)).toContain(completed.id);
      expect(all.json.result.nextPageToken).toBe('');
      expect(all.json.result.totalSize).toBeGreaterThanOrEqual(tasks.length);
      for (const t of tasks) expect(t.artifacts).toBeUndefined();
      const stamps = tasks.map((t) => Date.parse(t.status.timestamp));
      expect(stamps).toEqual([...stamps].sort((a, b) => b - a));

      const p1 = await call('ListTasks', { pageSize: 1 });
      expect(p1.json.result.tasks).toHaveLength(1);
      expect(p1.json.result.nextPageToken).not.toBe('');
      const p2 = await call('ListTasks', { pageSize: 1, pageToken: p1.json.result.nextPageToken });
      expect(p2.json.result.tasks[0].id).not.toBe(p1.json.result.tasks[0].id);

      const withArtifacts = await call('ListTasks', {
        contextId: completed.contextId,
        includeArtifacts: true,
      });
      expect(withArtifacts.json.result.tasks[0].artifacts.length).toBeGreaterThan(0);
      const byState = await call('ListTasks', { status: 'TASK_STATE_COMPLETED', pageSize: 100 });
      for (const t of byState.json.result.tasks) expect(t.status.state).toBe('TASK_STATE_COMPLETED');
    });

    it('refuses a page size out of range', async () => {
      expect((await call('ListTasks', { pageSize: 0 })).json.error.code).toBe(-32602);
      expect((await call('ListTasks', { pageSize: 101 })).json.error.code).toBe(-32602);
    });
  });

  describe('CancelTask [CORE-CANCEL-001/002/003]', () => {
    it('cancels a running task and answers with its canceled state', async () => {
      try {
        const task = await runningTask();
        const res = await call('CancelTask', { id: task.id });
        expect(res.json.result).toMatchObject({ id: task.id, status: { state: 'TASK_STATE_CANCELED' } });
        gate.open();
        await new Promise((r) => setTimeout(r, 300));
        expect((await call('GetTask', { id: task.id })).json.result.status.state).toBe('TASK_STATE_CANCELED');
      } finally {
        gate.open();
      }
    });

    it('answers TaskNotCancelable (-32002) for a finished task and TaskNotFound (-32001) for an unknown one', async () => {
      expect((await call('CancelTask', { id: completed.id })).json.error.code).toBe(-32002);
      expect((await call('CancelTask', { id: `missing-${randomUUID()}` })).json.error.code).toBe(-32001);
    });
  });

  describe('terminal tasks [CORE-SEND-002, STREAM-SUB-003]', () => {
    it('refuses a message to a finished task with UnsupportedOperation (-32004), changing nothing', async () => {
      const res = await call('SendMessage', messageJson('and now?', { taskId: completed.id }));
      expect(res.json.error.code).toBe(-32004);
      const after = await call('GetTask', { id: completed.id });
      expect(after.json.result.history.length).toBe(completed.history.length);
    });

    it('refuses SubscribeToTask on a finished task with UnsupportedOperation (-32004)', async () => {
      const res = await call('SubscribeToTask', { id: completed.id });
      expect(res.json.error.code).toBe(-32004);
    });
  });

  describe('SubscribeToTask [STREAM-SUB-001/002/004]', () => {
    it('streams the running task: the task first, then updates until it finishes', async () => {
      try {
        const task = await runningTask();
        const res = await fetch(`${url()}/a2a`, {
          method: 'POST',
          headers: { authorization: target.auth(), 'content-type': 'application/json', 'a2a-version': '1.0' },
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 's1',
            method: 'SubscribeToTask',
            params: { id: task.id },
          }),
        });
        expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
        gate.open();
        const results = sseEvents(await res.text()).map((e) => e.data.result);
        expect(results[0].task).toMatchObject({ id: task.id });
        expect(TERMINAL).not.toContain(results[0].task.status.state);
        expect(TERMINAL).toContain(results.at(-1).statusUpdate?.status.state);
      } finally {
        gate.open();
      }
    });

    it('answers TaskNotFound (-32001) for an unknown task', async () => {
      expect((await call('SubscribeToTask', { id: `missing-${randomUUID()}` })).json.error.code).toBe(-32001);
    });
  });

  describe('multi-turn ids [CORE-MULTI-001a/002/003/004/005/006]', () => {
    it('generates a context id when none is given, and keeps the client’s', async () => {
      const fresh = await call('SendMessage', messageJson(QUESTION));
      expect(fresh.json.result.task.contextId).toMatch(/\S/);
      const contextId = `ctx-${randomUUID()}`;
      const kept = await call('SendMessage', messageJson(QUESTION, { contextId }));
      expect(kept.json.result.task.contextId).toBe(contextId);
      expect(kept.json.result.task.id).not.toBe(fresh.json.result.task.id);
      expect(kept.json.result.task.id).not.toBe(completed.id);
    });

    it('answers TaskNotFound (-32001) for a message naming an unknown task', async () => {
      const res = await call('SendMessage', messageJson(QUESTION, { taskId: `missing-${randomUUID()}` }));
      expect(res.json.error.code).toBe(-32001);
    });

    it('refuses a message whose context id is not its task’s, and infers it when only the task is named', async () => {
      try {
        const task = await runningTask();
        const mismatch = await call(
          'SendMessage',
          messageJson('more', { taskId: task.id, contextId: `other-${randomUUID()}` }),
        );
        expect(mismatch.json.error.code).toBe(-32602);
        const inferred = await call('SendMessage', {
          ...messageJson('more', { taskId: task.id }),
          configuration: { returnImmediately: true },
        });
        expect(inferred.json.result.task).toMatchObject({ id: task.id, contextId: task.contextId });
        await call('CancelTask', { id: task.id });
      } finally {
        gate.open();
      }
    });
  });

  describe('A2A-Version [VER-SERVER-001/002/003, VER-CLIENT-002]', () => {
    it('serves 1.0, ignores a patch number, and refuses other versions and none (0.3) with -32009', async () => {
      expect((await call('GetTask', { id: completed.id }, { version: '1.0' })).json.result.id).toBe(
        completed.id,
      );
      expect((await call('GetTask', { id: completed.id }, { version: '1.0.7' })).json.result?.id).toBe(
        completed.id,
      );
      expect((await call('GetTask', { id: completed.id }, { version: '9.9' })).json.error.code).toBe(-32009);
      expect((await call('GetTask', { id: completed.id }, { version: null })).json.error.code).toBe(-32009);
    });

    it('knows only the PascalCase v1.0 methods (a v0.3 name is -32601)', async () => {
      expect((await call('tasks/get', { id: completed.id })).json.error.code).toBe(-32601);
    });
  });

  describe('authentication and task visibility [CORE-LIST-001, CORE-GET-002]', () => {
    it('refuses a call without credentials with HTTP 401 and a Bearer challenge', async () => {
      for (const auth of [null, 'Bearer not-a-token']) {
        const res = await call('ListTasks', {}, { auth });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      }
    });

    it('shows another principal nothing of the caller’s tasks: not found, never forbidden', async () => {
      const id = completed.id;
      expect((await call('GetTask', { id }, stranger())).json.error.code).toBe(-32001);
      expect((await call('CancelTask', { id }, stranger())).json.error.code).toBe(-32001);
      expect((await call('SubscribeToTask', { id }, stranger())).json.error.code).toBe(-32001);
      expect(
        (await call('ListTaskPushNotificationConfigs', { taskId: id }, stranger())).json.error.code,
      ).toBe(-32001);
      const hook = { taskId: id, url: `${webhook.url}/stranger` };
      expect((await call('CreateTaskPushNotificationConfig', hook, stranger())).json.error.code).toBe(-32001);
      expect((await call('SendMessage', messageJson('hi', { taskId: id }), stranger())).json.error.code).toBe(
        -32001,
      );
      const listed = await call('ListTasks', { pageSize: 100 }, stranger());
      expect(listed.json.result.tasks.map((t: WireJson) => t.id)).not.toContain(id);
    });
  });

  describe('malformed JSON-RPC, answered without side effects [JSONRPC-ERR-001/002]', () => {
    const envelope = (method: string, params: unknown) =>
      JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
    it.each([
      ['parse error', -32700, '{"jsonrpc": "2.0", "method": '],
      ['not UTF-8', -32700, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
      ['invalid request', -32600, JSON.stringify({ jsonrpc: '1.0', id: 1, method: 'SendMessage' })],
      ['batch', -32600, `[${envelope('ListTasks', {})}]`],
      ['unknown method', -32601, envelope('DeleteEverything', {})],
      ['params not an object', -32602, envelope('SendMessage', 'hi')],
      ['no message', -32602, envelope('SendMessage', {})],
      ['bad context id', -32602, envelope('SendMessage', messageJson('x', { contextId: 'has space' }))],
    ] as const)('%s → %i', async (_what, code, body) => {
      const before = await taskCount();
      const res = await post(url(), body, owner());
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ jsonrpc: '2.0', error: { code, message: expect.any(String) } });
      expect(await taskCount()).toBe(before);
    });

    it('refuses an oversized body with HTTP 413 before reading it', async () => {
      const before = await taskCount();
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: messageJson('x'.repeat(1024 * 1024 + 1024)),
      });
      const res = await post(url(), huge, owner());
      expect(res.status).toBe(413);
      if (target.name !== 'gateway') expect(res.json.error.code).toBe(-32600);
      expect(await taskCount()).toBe(before);
    });

    it('keeps A2A error codes in -32001…-32099 with an ErrorInfo', async () => {
      const res = await call('GetTask', { id: `missing-${randomUUID()}` });
      expect(res.json.error.code).toBeGreaterThanOrEqual(-32099);
      expect(res.json.error.code).toBeLessThanOrEqual(-32001);
      expect(res.json.error.data?.[0]).toMatchObject({ '@type': expect.stringContaining('ErrorInfo') });
    });
  });

  describe('push notifications [CORE-CAP-001 inverse, push config methods]', () => {
    it('creates, reads, lists and deletes a webhook config of a task', async () => {
      const hook = `${webhook.url}/crud/${target.name}`;
      const created = await client.createTaskPushNotificationConfig({
        tenant: '',
        id: '',
        taskId: completed.id,
        url: hook,
        token: 'crud-token',
        authentication: undefined,
      });
      expect(created).toMatchObject({ taskId: completed.id, url: hook, token: 'crud-token' });
      expect(created.id).toMatch(/\S/);
      const got = await call('GetTaskPushNotificationConfig', { taskId: completed.id, id: created.id });
      expect(got.json.result).toMatchObject({ id: created.id, url: hook });
      const listed = await call('ListTaskPushNotificationConfigs', { taskId: completed.id });
      expect(listed.json.result.configs.map((c: WireJson) => c.id)).toContain(created.id);
      expect(
        (await call('DeleteTaskPushNotificationConfig', { taskId: completed.id, id: created.id })).json,
      ).toMatchObject({
        result: null,
      });
      expect(
        (await call('GetTaskPushNotificationConfig', { taskId: completed.id, id: created.id })).json.error
          .code,
      ).toBe(-32001);
    });

    it('refuses a webhook that is not http(s), and one for an unknown task', async () => {
      const bad = await call('CreateTaskPushNotificationConfig', {
        taskId: completed.id,
        url: 'ftp://example.com/x',
      });
      expect(bad.json.error.code).toBe(-32602);
      const unknown = await call('CreateTaskPushNotificationConfig', {
        taskId: `missing-${randomUUID()}`,
        url: `${webhook.url}/x`,
      });
      expect(unknown.json.error.code).toBe(-32001);
    });

    it('POSTs the task’s updates to the webhook, signed by the agent (JWT verified against its JWKS)', async () => {
      const hook = `${webhook.url}/deliver/${target.name}/${randomUUID()}`;
      const res = await call('SendMessage', {
        ...messageJson(QUESTION),
        configuration: { taskPushNotificationConfig: { url: hook, token: 'deliver-token' } },
      });
      const taskId = res.json.result.task.id;
      const mine = () => webhook.hits.filter((h) => hook.endsWith(h.path));
      await waitFor(() =>
        mine().some((h) => JSON.parse(h.body).statusUpdate?.status?.state === 'TASK_STATE_COMPLETED'),
      );
      for (const hit of mine()) {
        expect(hit.token).toBe('deliver-token');
        const claims = await verifyPushNotification(hit, { issuer: target.pushIssuer(), audience: hook });
        expect(claims.taskId).toBe(taskId);
      }
    });
  });
});

/** Keys of protocol objects are camelCase (user data inside `data` / `metadata` is left alone). */
function expectCamelCase(value: unknown, path = '$'): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) expectCamelCase(v, `${path}[${i}]`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, v] of Object.entries(value)) {
    if (key !== '@type') expect(key, `${path}.${key}`).toMatch(/^[a-z][a-zA-Z0-9]*$/);
    if (key === 'data' || key === 'metadata' || key === 'securitySchemes') continue;
    expectCamelCase(v, `${path}.${key}`);
  }
}
