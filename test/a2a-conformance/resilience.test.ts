/**
 * The agent mesh under failure, with two portfolio-manager replicas: a replica killed mid-task and
 * the other answering for its task; cancellation really stopping work (on the replica running it,
 * through the other replica, and through the user-assistant); the registry restarting while
 * delegations are in flight; push notifications from one replica for a webhook registered on the
 * other, verified against the agents' published keys.
 *
 * Work is held mid-task by a gate on the market-data MCP server (`get_latest_quotes`).
 *
 *   npx vitest run test/a2a-conformance/resilience.test.ts
 */

import { localBaseUrl } from '@stockpulse/cli';
import { formatUsd } from '@stockpulse/domain';
import { createA2AClient, sendText, verifyPushNotification } from '@stockpulse/protocols/a2a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedDemoValue } from '../harness/expected.js';
import { startTestMesh, type TestMesh } from '../harness/mesh.js';
import { type GateProxy, startGateProxy } from './gate-proxy.js';
import { messageJson, rpc, type WireJson, waitFor } from './helpers.js';
import { counterValue, demoUserToken, startWebhook } from './mesh-fixtures.js';

const QUESTION = 'What is my portfolio worth?';
const EXECUTIONS = 'a2a_task_executions_total';

let mesh: TestMesh;
let gate: GateProxy;
let webhook: Awaited<ReturnType<typeof startWebhook>>;
let token = '';
const pm1 = () => mesh.urls['portfolio-manager']!;
const pm2 = () => mesh.urls['portfolio-manager-2']!;
const ua = () => mesh.urls['user-assistant']!;
const as = () => ({ auth: `Bearer ${token}` });

beforeAll(async () => {
  gate = await startGateProxy('get_latest_quotes');
  webhook = await startWebhook();
  mesh = await startTestMesh({
    portfolioManagerReplicas: 1,
    // Agents re-register within a second of a registry restart.
    env: { MCP_TIMESCALE_URL: gate.url, AGENT_HEARTBEAT_MS: '1000' },
  });
  gate.upstream = localBaseUrl(mesh.config, Number(mesh.env.MCP_TIMESCALE_PORT));
  token = await demoUserToken(mesh);
  await waitFor(async () => (await registeredReplicas()) === 2, 20_000);
}, 300_000);

afterAll(async () => {
  await gate?.shutdown();
  await mesh?.stop();
  await webhook?.close();
});

async function registeredReplicas(): Promise<number> {
  const res = await fetch(`${mesh.urls.registry}/v1/agents?skill=portfolio-analysis`, {
    headers: { authorization: `Bearer ${token}` },
  }).catch(() => undefined);
  if (!res?.ok) return 0;
  return ((await res.json()) as { agents: unknown[] }).agents.length;
}

/** Resolve once the supervisor has `name` healthy again in a new process (it restarts crashed ones). */
async function restarted(name: string, oldPid: number): Promise<void> {
  await waitFor(() => {
    const s = mesh.mesh.status().find((x) => x.name === name);
    return s?.state === 'healthy' && s.pid !== undefined && s.pid !== oldPid;
  }, 60_000);
}

/** Start a task on `url` that the gate holds mid-work; resolves once its quotes call is held. */
async function heldTask(url: string): Promise<WireJson> {
  gate.close();
  const held = gate.held;
  const res = await rpc(
    url,
    'SendMessage',
    { ...messageJson(QUESTION), configuration: { returnImmediately: true } },
    as(),
  );
  expect(res.json.result?.task, JSON.stringify(res.json)).toBeDefined();
  await waitFor(() => gate.held > held, 15_000);
  return res.json.result.task;
}

describe('a replica killed mid-task', () => {
  it('loses nothing: the other replica reads the task, cancels it, and the restarted one agrees', async () => {
    const done = await rpc(pm2(), 'SendMessage', messageJson(QUESTION), as());
    expect(done.json.result.task.status.state).toBe('TASK_STATE_COMPLETED');
    try {
      const task = await heldTask(pm2());
      // Mid-task: its WORKING status is in the store (the replica writes it as the work starts).
      await waitFor(
        async () =>
          (await rpc(pm1(), 'GetTask', { id: task.id }, as())).json.result?.status.state ===
          'TASK_STATE_WORKING',
      );
      const pid = mesh.mesh.kill('portfolio-manager-2');

      const read = await rpc(pm1(), 'GetTask', { id: task.id }, as());
      expect(read.json.result).toMatchObject({
        id: task.id,
        contextId: task.contextId,
        status: { state: 'TASK_STATE_WORKING' },
      });
      expect(read.json.result.history[0].parts[0].text).toBe(QUESTION);
      const listed = await rpc(pm1(), 'ListTasks', { contextId: task.contextId }, as());
      expect(listed.json.result.tasks.map((t: WireJson) => t.id)).toEqual([task.id]);
      expect(
        (await rpc(pm1(), 'GetTask', { id: done.json.result.task.id }, as())).json.result.artifacts.length,
      ).toBe(1);

      const canceled = await rpc(pm1(), 'CancelTask', { id: task.id }, as());
      expect(canceled.json.result.status.state).toBe('TASK_STATE_CANCELED');

      await restarted('portfolio-manager-2', pid);
      expect((await rpc(pm2(), 'GetTask', { id: task.id }, as())).json.result.status.state).toBe(
        'TASK_STATE_CANCELED',
      );
    } finally {
      gate.open();
    }
  });
});

describe('CancelTask stops the work', () => {
  it('on the replica running it: the turn ends while its tool call is still held', async () => {
    const before = await counterValue(pm1(), EXECUTIONS, { outcome: 'canceled' });
    try {
      const task = await heldTask(pm1());
      const res = await rpc(pm1(), 'CancelTask', { id: task.id }, as());
      expect(res.json.result.status.state).toBe('TASK_STATE_CANCELED');
      await waitFor(
        async () => (await counterValue(pm1(), EXECUTIONS, { outcome: 'canceled' })) > before,
        5_000,
      );
      expect(gate.held).toBeGreaterThan(0);
    } finally {
      gate.open();
    }
  });

  it('through the other replica: the running one notices in the shared store and stops', async () => {
    const before = await counterValue(pm1(), EXECUTIONS, { outcome: 'canceled' });
    try {
      const task = await heldTask(pm1());
      const res = await rpc(pm2(), 'CancelTask', { id: task.id }, as());
      expect(res.json.result.status.state).toBe('TASK_STATE_CANCELED');
      await waitFor(
        async () => (await counterValue(pm1(), EXECUTIONS, { outcome: 'canceled' })) > before,
        5_000,
      );
      expect(gate.held).toBeGreaterThan(0);
      gate.open();
      await new Promise((r) => setTimeout(r, 500));
      const after = await rpc(pm1(), 'GetTask', { id: task.id }, as());
      expect(after.json.result.status.state).toBe('TASK_STATE_CANCELED');
      expect(after.json.result.artifacts).toBeUndefined();
    } finally {
      gate.open();
    }
  });

  it('on the user-assistant while it delegates: its turn ends at once', async () => {
    const before = await counterValue(ua(), EXECUTIONS, { outcome: 'canceled' });
    try {
      const task = await heldTask(ua());
      const res = await rpc(ua(), 'CancelTask', { id: task.id }, as());
      expect(res.json.result.status.state).toBe('TASK_STATE_CANCELED');
      await waitFor(
        async () => (await counterValue(ua(), EXECUTIONS, { outcome: 'canceled' })) > before,
        5_000,
      );
    } finally {
      gate.open();
    }
  });
});

describe('registry restart during traffic', () => {
  it('keeps in-flight delegations working, and delegation resumes once agents re-register', async () => {
    const expected = formatUsd(expectedDemoValue().totalValue);
    const client = await createA2AClient(ua(), { authorization: `Bearer ${token}` });
    gate.close();
    const held = gate.held;
    const inFlight = Array.from({ length: 4 }, () => sendText(client, QUESTION));
    try {
      await waitFor(() => gate.held >= held + 4, 20_000);
      await restarted('registry', mesh.mesh.kill('registry'));
    } finally {
      gate.open();
    }
    for (const answer of await Promise.all(inFlight)) {
      expect(answer.state).toBe('TASK_STATE_COMPLETED');
      expect(answer.text).toContain(expected);
    }
    await waitFor(async () => (await registeredReplicas()) === 2, 15_000);
    const after = await sendText(client, QUESTION);
    expect(after.text).toContain(expected);
  });
});

describe('push notifications across replicas', () => {
  it('a webhook registered on one replica gets the other’s signed updates, verifiable with either JWKS', async () => {
    const hook = `${webhook.url}/replicas/${Date.now()}`;
    let taskId = '';
    try {
      const task = await heldTask(pm2());
      taskId = task.id;
      const created = await rpc(
        pm1(),
        'CreateTaskPushNotificationConfig',
        { taskId, url: hook, token: 'r-token' },
        as(),
      );
      expect(created.json.result).toMatchObject({ taskId, url: hook });
    } finally {
      gate.open();
    }
    const mine = () => webhook.hits.filter((h) => hook.endsWith(h.path));
    await waitFor(() =>
      mine().some((h) => JSON.parse(h.body).statusUpdate?.status?.state === 'TASK_STATE_COMPLETED'),
    );
    const [jwks1, jwks2] = await Promise.all(
      [pm1(), pm2()].map(async (u) => (await fetch(`${u}/.well-known/jwks.json`)).json()),
    );
    expect(jwks1).toEqual(jwks2);
    for (const hit of mine()) {
      expect(hit.token).toBe('r-token');
      const claims = await verifyPushNotification(hit, { issuer: pm2(), audience: hook });
      expect(claims.taskId).toBe(taskId);
    }
    const tampered = { ...mine()[0]!, body: mine()[0]!.body.replace(/}$/, ',"extra":true}') };
    await expect(verifyPushNotification(tampered, { issuer: pm2(), audience: hook })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });
});
