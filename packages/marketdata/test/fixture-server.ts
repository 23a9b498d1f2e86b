import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  /** Path under test/fixtures/. */
  fixture?: string;
  body?: string;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  url: URL;
  headers: IncomingHttpHeaders;
}

export interface FixtureServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Decides the reply to each request; unrouted requests get 404. */
  route: (url: URL) => Reply | undefined;
  close(): Promise<void>;
}

const FIXTURES = new URL('./fixtures/', import.meta.url);

export function fixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

/** A real HTTP server on 127.0.0.1 serving recorded provider responses. */
export async function startFixtureServer(): Promise<FixtureServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', state.baseUrl);
    state.requests.push({ url, headers: req.headers });
    const reply = state.route(url) ?? { status: 404, body: '{"message":"not found"}' };
    const body = reply.fixture ? fixture(reply.fixture) : (reply.body ?? '');
    const type = reply.fixture?.endsWith('.html') ? 'text/html' : 'application/json';
    res.writeHead(reply.status ?? 200, { 'content-type': type, ...reply.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const state: FixtureServer = {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: [],
    route: () => undefined,
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
  return state;
}
