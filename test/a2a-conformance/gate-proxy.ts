import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy in front of an MCP server that can hold back calls of one tool: close the gate and
 * every `tools/call` of `tool` waits (the agent's work is "mid-task") until it opens again. It
 * records whether a held call's client gave up (an aborted request), which is how a test sees that
 * a cancelled task stopped its tool calls. Everything else streams through untouched.
 */
export interface GateProxy {
  url: string;
  /** Where requests go; settable after start (the mesh's ports are chosen when it starts). */
  upstream: string | undefined;
  close(): void;
  open(): void;
  /** Calls currently held at the gate. */
  readonly held: number;
  /** Held calls whose client hung up before the gate opened. */
  readonly abandoned: number;
  /** Calls of the gated tool seen so far. */
  readonly seen: number;
  shutdown(): Promise<void>;
}

export async function startGateProxy(tool: string): Promise<GateProxy> {
  let closed = false;
  let held = 0;
  let abandoned = 0;
  let seen = 0;
  let waiters: Array<() => void> = [];
  const state = { upstream: undefined as string | undefined };

  const whenOpen = () => (closed ? new Promise<void>((r) => waiters.push(r)) : Promise.resolve());
  const whenUpstream = async () => {
    while (!state.upstream) await new Promise((r) => setTimeout(r, 50));
    return state.upstream;
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) gone = true;
    });
    if (req.method === 'POST' && isCallOf(body, tool)) {
      seen++;
      if (closed) {
        held++;
        await whenOpen();
        held--;
        if (gone) {
          abandoned++;
          return;
        }
      }
    }
    const target = new URL(req.url ?? '/', await whenUpstream());
    const headers = { ...req.headers, host: target.host };
    const upstream = http.request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', () => upstream.destroy());
    upstream.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get upstream() {
      return state.upstream;
    },
    set upstream(v) {
      state.upstream = v;
    },
    close: () => {
      closed = true;
    },
    open: () => {
      closed = false;
      const w = waiters;
      waiters = [];
      for (const r of w) r();
    },
    get held() {
      return held;
    },
    get abandoned() {
      return abandoned;
    },
    get seen() {
      return seen;
    },
    shutdown: () =>
      new Promise<void>((r) => {
        closed = false;
        for (const w of waiters) w();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function isCallOf(body: Buffer, tool: string): boolean {
  try {
    const msg = JSON.parse(body.toString('utf8')) as { method?: string; params?: { name?: string } };
    return msg.method === 'tools/call' && msg.params?.name === tool;
  } catch {
    return false;
  }
}
