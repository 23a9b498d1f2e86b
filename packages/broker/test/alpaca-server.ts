import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  status?: number;
  /** A file under fixtures/alpaca/. */
  fixture?: string;
  headers?: Record<string, string>;
}

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./fixtures/alpaca/${name}`, import.meta.url), 'utf8'));

/**
 * A real HTTP server standing in for Alpaca: routes are `METHOD /path` (no query), answered from
 * fixture files; requests without the test keys get Alpaca's 401. Every request is recorded.
 */
export async function alpacaServer(routes: Record<string, Route>) {
  const requests: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let raw = '';
    for await (const chunk of req) raw += chunk;
    requests.push({
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: raw ? JSON.parse(raw) : undefined,
    });
    const authorized =
      req.headers['apca-api-key-id'] === 'key-id' && req.headers['apca-api-secret-key'] === 'secret';
    const route: Route = authorized
      ? (routes[`${req.method} ${url.pathname}`] ?? { status: 404, fixture: 'error-404.json' })
      : { status: 401, fixture: 'error-401.json' };
    const body = route.fixture
      ? readFileSync(new URL(`./fixtures/alpaca/${route.fixture}`, import.meta.url))
      : '';
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json', ...route.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A request still in flight when a test ends would otherwise hold the server for the keep-alive timeout.
        server.closeAllConnections();
      }),
  };
}
