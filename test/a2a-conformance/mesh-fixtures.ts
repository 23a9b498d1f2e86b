import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectMcp } from '@stockpulse/protocols/mcp';
import type { TestMesh } from '../harness/mesh.js';

/** The demo user's access token, through the gateway's login. */
export async function demoUserToken(mesh: TestMesh): Promise<string> {
  const res = await fetch(`${mesh.urls.gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: mesh.config.demo.email, password: mesh.config.demo.password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/** A service principal's token (`service:<clientId>`): a caller that is not the demo user. */
export async function serviceToken(mesh: TestMesh, clientId: string): Promise<string> {
  const res = await fetch(`${mesh.urls.auth}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: mesh.env.STOCKPULSE_SERVICE_SECRET!,
    }),
  });
  if (!res.ok) throw new Error(`service token refused: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** An API key of the user (what an external agent presents at the gateway). */
export async function apiKeyFor(mesh: TestMesh, userToken: string): Promise<string> {
  const auth = connectMcp(mesh.urls.auth!, { name: 'a2a-conformance' });
  try {
    const key = await auth.call<{ key: string }>(
      'create_api_key',
      { name: 'a2a conformance', scopes: ['read', 'trade'], expiresInDays: 1 },
      { authorization: `Bearer ${userToken}` },
    );
    return key.key;
  } finally {
    await auth.close();
  }
}

export interface WebhookHit {
  path: string;
  authorization: string | null;
  token: string | null;
  body: string;
}

/** A local webhook receiver: records every POST and answers 204. */
export async function startWebhook(): Promise<{ url: string; hits: WebhookHit[]; close(): Promise<void> }> {
  const hits: WebhookHit[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    hits.push({
      path: req.url ?? '/',
      authorization: req.headers.authorization ?? null,
      token: (req.headers['x-a2a-notification-token'] as string | undefined) ?? null,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The value of a Prometheus counter at `<url>/metrics` (0 when absent). */
export async function counterValue(
  url: string,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (want.every((w) => line.includes(w))) total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}
