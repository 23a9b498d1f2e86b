import { randomUUID } from 'node:crypto';
import { Role, type SendMessageRequest, type StreamResponse, TaskState } from '@a2a-js/sdk';
import { InMemoryTaskStore } from '@a2a-js/sdk/server';
import {
  AppError,
  childContext,
  createLogger,
  createMetrics,
  createServiceApp,
  currentTrace,
  listen,
  type RunningServer,
  runWithTrace,
} from '@stockpulse/core';
import { Hono } from 'hono';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type A2AClient,
  type AgentCard,
  type AgentExecutor,
  agentCard,
  createA2AClient,
  dataPart,
  finishTask,
  mountA2A,
  parseAgentCard,
  partsText,
  principalOf,
  publishArtifact,
  replyWithMessage,
  sendText,
  startTask,
  type TaskStore,
  textPart,
} from '../src/a2a/index.js';
import { AUTH_AUDIENCE, AUTH_ISSUER, createVerifier } from '../src/auth/index.js';

const logger = createLogger('a2a-test', 'silent');

/** Echoes the text back as an artifact with a data part naming the caller; a few words misbehave on purpose. */
let executions = 0;
const echoExecutor: AgentExecutor = {
  async execute(ctx, bus) {
    executions++;
    const text = partsText(ctx.userMessage.parts);
    if (text === 'direct') return replyWithMessage(ctx, bus, [textPart('direct reply')]);
    if (text === 'refuse') throw new AppError('conflict', 'Order already filled');
    if (text === 'crash') throw new Error('database password is hunter2');
    startTask(ctx, bus);
    if (text === 'slow') await new Promise((r) => setTimeout(r, 200));
    publishArtifact(ctx, bus, [
      textPart(`echo: ${text}`),
      dataPart({ subject: principalOf(ctx).subject, traceId: currentTrace()?.traceId ?? null }),
    ]);
    finishTask(ctx, bus);
  },
  async cancelTask() {},
};

/** Counts writes so a test can prove a rejected call created nothing. */
class CountingStore implements TaskStore {
  saves = 0;
  private readonly inner = new InMemoryTaskStore();
  load: TaskStore['load'] = (id, c) => this.inner.load(id, c);
  list: TaskStore['list'] = (p, c) => this.inner.list(p, c);
  save: TaskStore['save'] = (t, c) => {
    this.saves++;
    return this.inner.save(t, c);
  };
}

let auth: RunningServer;
let agent: RunningServer;
let legacyAgent: RunningServer;
let mint: (sub: string) => Promise<string>;
let tokenA: string;
let tokenB: string;
const store = new CountingStore();

function cardFor(server: () => RunningServer, legacyCompat = false): () => AgentCard {
  return () =>
    agentCard({
      name: 'Echo Agent',
      description: 'Repeats what it is told',
      version: '1.2.3',
      publicUrl: server().url,
      legacyCompat,
      skills: [
        {
          id: 'echo',
          name: 'Echo',
          description: 'Echo the input',
          tags: ['test', 'echo'],
          examples: ['say hello'],
        },
      ],
    });
}

async function startAgent(legacyCompat: boolean, taskStore?: TaskStore): Promise<RunningServer> {
  const app = createServiceApp({ name: 'echo-agent', logger, metrics: createMetrics('echo-agent') });
  let server: RunningServer | undefined;
  mountA2A(app, {
    card: cardFor(() => server!, legacyCompat),
    executor: echoExecutor,
    taskStore,
    verify: createVerifier({ authUrl: auth.url }),
    logger,
    maxBodyBytes: 64 * 1024,
    legacyCompat,
  });
  server = await listen(app, { port: 0, host: '127.0.0.1' });
  return server;
}

beforeAll(async () => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  const authApp = new Hono().get('/.well-known/jwks.json', (c) => c.json({ keys: [jwk] }));
  auth = await listen(authApp, { port: 0, host: '127.0.0.1' });
  mint = (sub) =>
    new SignJWT({ scope: 'read trade' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer(AUTH_ISSUER)
      .setAudience(AUTH_AUDIENCE)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
  tokenA = await mint('user-a');
  tokenB = await mint('user-b');
  agent = await startAgent(false, store);
  legacyAgent = await startAgent(true);
});

afterAll(async () => {
  await Promise.all([agent?.close(), legacyAgent?.close(), auth?.close()]);
});

// biome-ignore lint/suspicious/noExplicitAny: wire JSON, checked by the assertions
type WireJson = any;

/** A raw JSON-RPC POST; `auth: null` sends no Authorization. */
async function rpc(
  body: unknown,
  opts: { auth?: string | null; headers?: Record<string, string>; url?: string } = {},
): Promise<{
  status: number;
  headers: Headers;
  json: { id?: unknown; result?: WireJson; error?: WireJson };
}> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'a2a-version': '1.0' };
  const authz = opts.auth === undefined ? `Bearer ${tokenA}` : opts.auth;
  if (authz !== null) headers.authorization = authz;
  const res = await fetch(`${opts.url ?? agent.url}/a2a`, {
    method: 'POST',
    headers: { ...headers, ...opts.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, json: await res.json() };
}

/** SDK-typed SendMessage params for the streaming client calls. */
const streamRequest = (text: string): SendMessageRequest => ({
  tenant: '',
  message: {
    messageId: randomUUID(),
    role: Role.ROLE_USER,
    contextId: '',
    taskId: '',
    parts: [textPart(text)],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
  configuration: undefined,
  metadata: undefined,
});

const sendMessageParams = (text: string) => ({
  message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] },
});

describe('agent card', () => {
  it('serves a v1.0 card without authentication', async () => {
    const res = await fetch(`${agent.url}/.well-known/agent-card.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeTruthy();
    const card = await res.json();
    expect(card).toMatchObject({
      name: 'Echo Agent',
      version: '1.2.3',
      supportedInterfaces: [{ url: `${agent.url}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
      capabilities: { streaming: true, pushNotifications: false },
      provider: { organization: 'StockPulse' },
      securitySchemes: {
        bearer: { httpAuthSecurityScheme: { scheme: 'Bearer', bearerFormat: 'JWT' } },
        apiKey: { httpAuthSecurityScheme: { scheme: 'Bearer' } },
      },
      securityRequirements: [{ schemes: { bearer: {} } }, { schemes: { apiKey: {} } }],
      skills: [{ id: 'echo', name: 'Echo', tags: ['test', 'echo'], examples: ['say hello'] }],
    });
    const again = await fetch(`${agent.url}/.well-known/agent-card.json`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('is discovered by the SDK client', async () => {
    const client = await createA2AClient(agent.url, { authorization: `Bearer ${tokenA}` });
    const card = await client.getAgentCard();
    expect(card.supportedInterfaces[0]?.url).toBe(`${agent.url}/a2a`);
    expect(card.skills.map((s) => s.id)).toEqual(['echo']);
    expect(card.securitySchemes.bearer?.scheme?.$case).toBe('httpAuthSecurityScheme');
    expect(client.protocolVersion).toBe('1.0');
  });

  it('a client can start from a card in hand (as the registry returns it)', async () => {
    const json = await (await fetch(`${agent.url}/.well-known/agent-card.json`)).json();
    const card = parseAgentCard(json);
    expect(card.securitySchemes.apiKey?.scheme?.$case).toBe('httpAuthSecurityScheme');
    const client = await createA2AClient(card, { authorization: `Bearer ${tokenB}` });
    expect((await client.getAgentCard()).securitySchemes.bearer?.scheme?.$case).toBe(
      'httpAuthSecurityScheme',
    );
    expect((await sendText(client, 'from card')).text).toBe('echo: from card');
  });

  it('reports an unreachable agent as unavailable', async () => {
    await expect(createA2AClient('http://127.0.0.1:9', { authorization: 'Bearer x' })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});

describe('messages', () => {
  let clientA: A2AClient;
  let clientB: A2AClient;
  beforeAll(async () => {
    clientA = await createA2AClient(agent.url, { authorization: `Bearer ${tokenA}` });
    clientB = await createA2AClient(agent.url, { authorization: async () => `Bearer ${tokenB}` });
  });

  it('SendMessage answers text and data, acting for the caller, inside the caller trace', async () => {
    const trace = childContext();
    const answer = await runWithTrace(trace, () => sendText(clientA, 'hello', { data: { n: 1 } }));
    expect(answer.state).toBe('TASK_STATE_COMPLETED');
    expect(answer.text).toBe('echo: hello');
    expect(answer.data).toEqual([{ subject: 'user-a', traceId: trace.traceId }]);
    expect(answer.task?.id).toBeTruthy();
    expect(answer.task?.metadata?.['stockpulse.owner']).toBeUndefined();
    expect(answer.contextId).toBe(answer.task?.contextId);
  });

  it('a reply without a task comes back as a message', async () => {
    const answer = await sendText(clientA, 'direct');
    expect(answer.message).toBeDefined();
    expect(answer.task).toBeUndefined();
    expect(answer.text).toBe('direct reply');
  });

  it('SendStreamingMessage yields task, status and artifact events over SSE', async () => {
    const events: StreamResponse[] = [];
    for await (const event of clientA.sendMessageStream(streamRequest('slow'))) {
      events.push(event);
    }
    const kinds = events.map((e) => e.payload?.$case);
    expect(kinds[0]).toBe('task');
    expect(kinds).toContain('statusUpdate');
    expect(kinds).toContain('artifactUpdate');
    const last = events.at(-1)?.payload;
    expect(last?.$case === 'statusUpdate' && last.value.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
    const artifact = events.find((e) => e.payload?.$case === 'artifactUpdate')?.payload;
    expect(artifact?.$case === 'artifactUpdate' && partsText(artifact.value.artifact?.parts ?? [])).toBe(
      'echo: slow',
    );
  });

  it('a client that hangs up mid-stream leaves the task running to completion', async () => {
    const hangUp = new AbortController();
    let taskId = '';
    for await (const event of clientA.sendMessageStream(streamRequest('slow'), { signal: hangUp.signal })) {
      if (event.payload?.$case === 'task') {
        taskId = event.payload.value.id;
        hangUp.abort();
        break;
      }
    }
    expect(taskId).not.toBe('');
    let state: TaskState | undefined;
    for (let i = 0; i < 40 && state !== TaskState.TASK_STATE_COMPLETED; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await clientA.getTask({ tenant: '', id: taskId })).status?.state;
    }
    expect(state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it('streams raw SSE lines of JSON-RPC responses', async () => {
    const res = await fetch(`${agent.url}/a2a`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'a2a-version': '1.0',
        authorization: `Bearer ${tokenA}`,
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'stream-1',
        method: 'SendStreamingMessage',
        params: sendMessageParams('hi'),
      }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const lines = (await res.text()).split('\n').filter((l) => l.startsWith('data: '));
    const frames = lines.map((l) => JSON.parse(l.slice(6)));
    expect(frames.length).toBeGreaterThanOrEqual(3);
    for (const f of frames) expect(f).toMatchObject({ jsonrpc: '2.0', id: 'stream-1' });
    expect(frames.at(-1).result.statusUpdate.status.state).toBe('TASK_STATE_COMPLETED');
  });

  it('tasks are visible only to their owner', async () => {
    const { task } = await sendText(clientA, 'mine');
    const id = task!.id;
    const own = await clientA.getTask({ tenant: '', id });
    expect(own.id).toBe(id);
    expect(own.metadata?.['stockpulse.owner']).toBeUndefined();

    await expect(clientB.getTask({ tenant: '', id })).rejects.toMatchObject({ envelopeCode: -32001 });
    const raw = await rpc(
      { jsonrpc: '2.0', id: 7, method: 'GetTask', params: { id } },
      { auth: `Bearer ${tokenB}` },
    );
    expect(raw.json.error.code).toBe(-32001);
    const cancel = await rpc(
      { jsonrpc: '2.0', id: 8, method: 'CancelTask', params: { id } },
      { auth: `Bearer ${tokenB}` },
    );
    expect(cancel.json.error.code).toBe(-32001);
    const sub = await rpc(
      { jsonrpc: '2.0', id: 9, method: 'SubscribeToTask', params: { id } },
      { auth: `Bearer ${tokenB}` },
    );
    expect(sub.json.error.code).toBe(-32001);
    const followUp = await rpc(
      {
        jsonrpc: '2.0',
        id: 10,
        method: 'SendMessage',
        params: { message: { ...sendMessageParams('x').message, taskId: id } },
      },
      { auth: `Bearer ${tokenB}` },
    );
    expect(followUp.json.error.code).toBe(-32001);

    const listA = await clientA.listTasks({
      tenant: '',
      contextId: '',
      status: 0,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    const listB = await clientB.listTasks({
      tenant: '',
      contextId: '',
      status: 0,
      pageToken: '',
      statusTimestampAfter: undefined,
    });
    expect(listA.tasks.map((t) => t.id)).toContain(id);
    expect(listB.tasks.map((t) => t.id)).not.toContain(id);
  });

  it('a thrown AppError reaches the caller with its code; other errors stay private', async () => {
    await expect(sendText(clientA, 'refuse')).rejects.toMatchObject({
      code: 'conflict',
      message: 'Order already filled',
    });
    const crash = await sendText(clientA, 'crash').catch((e: unknown) => e);
    expect(crash).toBeInstanceOf(AppError);
    expect(crash).toMatchObject({ code: 'internal', message: 'Internal error' });
    expect(JSON.stringify(crash)).not.toContain('hunter2');
  });
});

describe('rejected calls', () => {
  let savesBefore: number;
  let executionsBefore: number;
  beforeAll(() => {
    savesBefore = store.saves;
    executionsBefore = executions;
  });

  it('no credential: 401, WWW-Authenticate, JSON-RPC -32000', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: sendMessageParams('x') },
      { auth: null },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="stockpulse"/);
    expect(res.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32000 } });
    expect(res.json.error.data[0]).toMatchObject({ reason: 'UNAUTHENTICATED' });
  });

  it('invalid credential: 401 with invalid_token; the SDK client sees unauthenticated', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: sendMessageParams('x') },
      { auth: 'Bearer nope' },
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const client = await createA2AClient(agent.url, { authorization: 'Bearer not-a-jwt' });
    await expect(sendText(client, 'x')).rejects.toMatchObject({ code: 'unauthenticated', status: 401 });
  });

  it('unknown method: -32601', async () => {
    const res = await rpc({ jsonrpc: '2.0', id: 'u', method: 'tasks/teleport', params: {} });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'u', error: { code: -32601 } });
  });

  it('non-JSON body: -32700', async () => {
    const res = await rpc('{"jsonrpc": "2.0", "method": ');
    expect(res.json).toMatchObject({ id: null, error: { code: -32700 } });
  });

  it('not a JSON-RPC request: -32600', async () => {
    expect((await rpc({ jsonrpc: '1.0', id: 3, method: 'GetTask' })).json).toMatchObject({
      id: 3,
      error: { code: -32600 },
    });
    expect((await rpc([{ jsonrpc: '2.0', id: 1, method: 'GetTask' }])).json.error.code).toBe(-32600);
    expect((await rpc({ jsonrpc: '2.0', id: 4.5, method: 'GetTask' })).json.error.code).toBe(-32600);
  });

  it('bad params: -32602', async () => {
    expect((await rpc({ jsonrpc: '2.0', id: 5, method: 'GetTask', params: 'abc' })).json.error.code).toBe(
      -32602,
    );
    expect(
      (await rpc({ jsonrpc: '2.0', id: 6, method: 'GetTask', params: { id: ' ' } })).json.error.code,
    ).toBe(-32602);
  });

  it('wrong content type: -32005', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 5, method: 'GetTask', params: { id: 'x' } },
      { headers: { 'content-type': 'text/plain' } },
    );
    expect(res.json.error.code).toBe(-32005);
  });

  it('missing A2A-Version means v0.3, which this agent does not serve: -32009', async () => {
    const res = await rpc(
      { jsonrpc: '2.0', id: 1, method: 'SendMessage', params: sendMessageParams('x') },
      { headers: { 'a2a-version': '' } },
    );
    expect(res.json.error.code).toBe(-32009);
  });

  it('oversized body: 413 and -32600 without reading it', async () => {
    const big = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'SendMessage',
      params: sendMessageParams('x'.repeat(100 * 1024)),
    });
    const res = await rpc(big);
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe(-32600);
    const unauthenticated = await rpc(big, { auth: null });
    expect(unauthenticated.status).toBe(413);
  });

  it('oversized chunked body (no Content-Length): 413', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(`${agent.url}/a2a`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'a2a-version': '1.0',
        authorization: `Bearer ${tokenA}`,
      },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('none of them created a task or ran the executor', () => {
    expect(store.saves).toBe(savesBefore);
    expect(executions).toBe(executionsBefore);
  });
});

describe('v0.3 peers (legacyCompat)', () => {
  it('get a v0.3 card when they send no A2A-Version, and the v1.0 card when they ask for it', async () => {
    const legacy = await (await fetch(`${legacyAgent.url}/.well-known/agent-card.json`)).json();
    expect(legacy).toMatchObject({
      url: `${legacyAgent.url}/a2a`,
      preferredTransport: 'JSONRPC',
      protocolVersion: '0.3',
      securitySchemes: { bearer: { type: 'http', scheme: 'Bearer' } },
    });
    const v1 = await (
      await fetch(`${legacyAgent.url}/.well-known/agent-card.json`, { headers: { 'a2a-version': '1.0' } })
    ).json();
    expect(v1.supportedInterfaces.map((i: { protocolVersion: string }) => i.protocolVersion)).toEqual([
      '1.0',
      '0.3',
    ]);
  });

  it('speak message/send without a version header', async () => {
    const res = await rpc(
      {
        jsonrpc: '2.0',
        id: 1,
        method: 'message/send',
        params: {
          message: {
            kind: 'message',
            messageId: randomUUID(),
            role: 'user',
            parts: [{ kind: 'text', text: 'old' }],
          },
        },
      },
      { url: legacyAgent.url, headers: { 'a2a-version': '' } },
    );
    expect(res.json.result).toMatchObject({ kind: 'task', status: { state: 'completed' } });
    expect(res.json.result.artifacts[0].parts[0]).toMatchObject({ kind: 'text', text: 'echo: old' });
  });

  it('and v1.0 clients still work on the same endpoint', async () => {
    const client = await createA2AClient(legacyAgent.url, { authorization: `Bearer ${tokenB}` });
    expect((await sendText(client, 'new')).data).toEqual([
      { subject: 'user-b', traceId: expect.any(String) },
    ]);
  });
});
