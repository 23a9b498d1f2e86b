import { createHash } from 'node:crypto';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { UriTemplate, type Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import {
  type CallToolResult,
  type ServerNotification,
  type ServerRequest,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import {
  AppError,
  currentTrace,
  type ErrorCode,
  type Logger,
  type Metrics,
  toAppError,
} from '@stockpulse/core';
import { hasScope, type Principal, type Scope } from '../auth/principal.js';
import type { McpServerSpec, RequestContext, ResourceChanged, ToolDefinition } from './define.js';
import { JsonRpcAppError, toolErrorResult } from './errors.js';
import { ResourceSubscriptions } from './subscriptions.js';

/** What the SDK hands every request handler (auth info, session, abort signal). */
export type McpRequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** One line of the tool-call audit trail. Arguments are kept only as a digest. */
export interface AuditRecord {
  /** ISO time the call started. */
  at: string;
  server: string;
  tool: string;
  /** `sub` of the caller (`anonymous` when no principal could be resolved). */
  principal: string;
  userId?: string;
  /** sha256 (hex) of the canonical JSON of the validated arguments. */
  argsDigest: string;
  outcome: 'ok' | ErrorCode;
  durationMs: number;
  traceId?: string;
  sessionId?: string;
}

export type AuditSink = (rec: AuditRecord) => void | Promise<void>;

export interface McpServerDeps {
  logger: Logger;
  metrics: Metrics;
  /** Where audit records go; default: one `mcp tool call` log line each. Awaited; its failures are logged, never fail the call. */
  onAudit?: AuditSink;
  /** Who a request acts for. HTTP: {@link principalFromAuthInfo}; stdio: a fixed local principal. */
  principalFor: (extra: McpRequestExtra) => Principal;
  /**
   * The session's resource subscriptions, when several servers answer one session (HTTP: one streams,
   * one answers plain JSON) and notifications must leave through one of them. Default: this server's own.
   */
  subscriptions?: ResourceSubscriptions;
}

/**
 * An SDK `McpServer` with every tool, resource and prompt of `spec` registered. Each tool call is
 * resolved to a principal, scope-checked, run, its output validated, and audited and counted;
 * failures come back as `{ error: { code, message } }` tool errors, never a stack.
 *
 * Invalid arguments never reach the wrapper: the SDK validates them against `inputSchema` first and
 * answers an `isError` result whose text names the field (see README.md), so they are not audited.
 */
export function createMcpServer(spec: McpServerSpec, deps: McpServerDeps): McpServer {
  const mcp = new McpServer(
    { name: spec.name, version: spec.version, ...(spec.title ? { title: spec.title } : {}) },
    spec.instructions ? { instructions: spec.instructions } : {},
  );
  const log = deps.logger.child({ mcpServer: spec.name });
  const instruments = toolInstruments(deps.metrics);
  const audit = deps.onAudit ?? ((rec: AuditRecord) => log.info({ audit: rec }, 'mcp tool call'));

  for (const tool of spec.tools) {
    mcp.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, ...tool.annotations },
      },
      (args: Record<string, unknown>, extra: McpRequestExtra) => runTool(tool, args, extra),
    );
  }

  async function runTool(
    tool: ToolDefinition,
    args: Record<string, unknown>,
    extra: McpRequestExtra,
  ): Promise<CallToolResult> {
    const startedAt = new Date();
    const t0 = performance.now();
    // Hashed in slices, so a large call's digest is computed while its handler waits on I/O.
    const digest = argsDigestInterleaved(args);
    let principal: Principal | undefined;
    let outcome: AuditRecord['outcome'] = 'ok';
    try {
      principal = deps.principalFor(extra);
      requireToolScope(principal, tool.scope, `Tool '${tool.name}'`);
      const ctx = context(principal, extra, { tool: tool.name });
      const raw = await tool.handler(args as never, ctx);
      const parsed = tool.outputSchema.safeParse(raw);
      if (!parsed.success) {
        // A server bug: the client must not see a half-valid result, nor our schema internals.
        ctx.logger.error({ issues: parsed.error.issues }, 'tool result does not match its output schema');
        throw new AppError('internal', `Tool '${tool.name}' produced an invalid result`);
      }
      return {
        structuredContent: parsed.data,
        content: [{ type: 'text', text: JSON.stringify(parsed.data) }],
      };
    } catch (e) {
      const err = toAppError(e);
      outcome = err.code;
      if (err.code === 'internal') log.error({ err: e, tool: tool.name }, 'tool failed');
      return toolErrorResult(err);
    } finally {
      const seconds = (performance.now() - t0) / 1000;
      instruments.calls.inc({ server: spec.name, tool: tool.name, outcome });
      instruments.duration.observe({ server: spec.name, tool: tool.name }, seconds);
      const rec: AuditRecord = {
        at: startedAt.toISOString(),
        server: spec.name,
        tool: tool.name,
        principal: principal?.subject ?? 'anonymous',
        ...(principal?.userId ? { userId: principal.userId } : {}),
        argsDigest: await digest,
        outcome,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(currentTrace() ? { traceId: currentTrace()!.traceId } : {}),
        ...(extra.sessionId ? { sessionId: extra.sessionId } : {}),
      };
      try {
        await audit(rec);
      } catch (err) {
        log.error({ err, audit: rec }, 'audit sink failed');
      }
    }
  }

  function context(
    principal: Principal,
    extra: McpRequestExtra,
    bindings: Record<string, string>,
  ): RequestContext {
    // The child logger is made when a handler first logs: most calls never do, and making one costs.
    let logger: Logger | undefined;
    return {
      principal,
      signal: extra.signal,
      get logger() {
        logger ??= log.child({ ...bindings, principal: principal.subject });
        return logger;
      },
    };
  }

  /** Resources and prompts: same principal and scope rules; failures become JSON-RPC errors with `data.code`. */
  async function guarded<T>(
    what: string,
    scope: Scope,
    extra: McpRequestExtra,
    bindings: Record<string, string>,
    run: (ctx: RequestContext) => Promise<T>,
  ): Promise<T> {
    try {
      const principal = deps.principalFor(extra);
      requireToolScope(principal, scope, what);
      return await run(context(principal, extra, bindings));
    } catch (e) {
      const err = toAppError(e);
      if (err.code === 'internal') log.error({ err: e, ...bindings }, `${what} failed`);
      throw new JsonRpcAppError(err);
    }
  }

  for (const r of spec.resources ?? []) {
    const scope = r.scope ?? 'read';
    mcp.registerResource(r.name, r.uri, meta(r), (uri, extra) =>
      guarded(`Resource '${r.uri}'`, scope, extra, { resource: r.uri }, (ctx) => r.read(uri, ctx)),
    );
  }

  for (const t of spec.resourceTemplates ?? []) {
    const scope = t.scope ?? 'read';
    const what = `Resource '${t.uriTemplate}'`;
    const bindings = { resource: t.uriTemplate };
    const list = t.list?.bind(t);
    const template = new ResourceTemplate(t.uriTemplate, {
      list: list ? (extra) => guarded(what, scope, extra, bindings, (ctx) => list(ctx)) : undefined,
      ...(t.complete ? { complete: t.complete } : {}),
    });
    mcp.registerResource(t.name, template, meta(t), (uri, variables, extra) =>
      guarded(what, scope, extra, bindings, (ctx) => t.read(uri, variables, ctx)),
    );
  }

  for (const p of spec.prompts ?? []) {
    const what = `Prompt '${p.name}'`;
    const bindings = { prompt: p.name };
    // Always an args shape (empty when none): the SDK's no-args callback form cannot be typed.
    mcp.registerPrompt(
      p.name,
      { title: p.title, description: p.description, argsSchema: p.args ?? {} },
      (args, extra) => guarded(what, p.scope, extra, bindings, (ctx) => p.get(args as never, ctx)),
    );
  }

  registerSubscriptions();

  /** `resources/subscribe` and `resources/unsubscribe` for the resources and templates that can be watched. */
  function registerSubscriptions(): void {
    type Watch = (ctx: RequestContext, changed: ResourceChanged) => Promise<() => void>;
    type Target = { what: string; scope: Scope; bindings: Record<string, string>; watch: Watch };
    const fixed = (spec.resources ?? []).flatMap((r) => {
      const watch = r.watch?.bind(r);
      if (!watch) return [];
      const target: Target = {
        what: `Resource '${r.uri}'`,
        scope: r.scope ?? 'read',
        bindings: { resource: r.uri },
        watch: (ctx, changed) => watch(new URL(r.uri), ctx, changed),
      };
      return [[r.uri, target] as const];
    });
    const templates = (spec.resourceTemplates ?? []).flatMap((t) => {
      const watch = t.watch?.bind(t);
      return watch ? [{ t, template: new UriTemplate(t.uriTemplate), watch }] : [];
    });
    if (fixed.length === 0 && templates.length === 0) return;
    const byUri = new Map(fixed);
    const resolve = (uri: string): Target | undefined => {
      const exact = byUri.get(uri);
      if (exact) return exact;
      for (const { t, template, watch } of templates) {
        const variables: Variables | null = template.match(uri);
        if (variables) {
          return {
            what: `Resource '${t.uriTemplate}'`,
            scope: t.scope ?? 'read',
            bindings: { resource: t.uriTemplate },
            watch: (ctx, changed) => watch(new URL(uri), variables, ctx, changed),
          };
        }
      }
      return undefined;
    };
    const subscriptions =
      deps.subscriptions ??
      new ResourceSubscriptions(
        (uri) => mcp.server.sendResourceUpdated({ uri }),
        (err, uri) => log.debug({ err, uri }, 'resource update notification not sent'),
      );
    if (!deps.subscriptions) mcp.server.onclose = () => subscriptions.close();
    mcp.server.registerCapabilities({ resources: { subscribe: true } });
    mcp.server.setRequestHandler(SubscribeRequestSchema, async (request, extra) => {
      const { uri } = request.params;
      if (!URL.canParse(uri)) throw new JsonRpcAppError(new AppError('bad_request', `Not a URI: '${uri}'`));
      const target = resolve(uri);
      if (!target)
        throw new JsonRpcAppError(new AppError('not_found', `No subscribable resource at '${uri}'`));
      return guarded(target.what, target.scope, extra, target.bindings, async (ctx) => {
        await subscriptions.add(uri, (changed) => target.watch(ctx, changed));
        return {};
      });
    });
    mcp.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
      subscriptions.remove(request.params.uri);
      return {};
    });
  }

  return mcp;
}

function requireToolScope(principal: Principal, scope: Scope, what: string): void {
  if (!hasScope(principal, scope)) throw new AppError('forbidden', `${what} needs the '${scope}' scope`);
}

function meta(r: { title?: string; description?: string; mimeType?: string }) {
  return {
    ...(r.title ? { title: r.title } : {}),
    ...(r.description ? { description: r.description } : {}),
    ...(r.mimeType ? { mimeType: r.mimeType } : {}),
  };
}

/** The principal the HTTP mount put into this request's `authInfo`. */
export function principalFromAuthInfo(extra: McpRequestExtra): Principal {
  const principal = extra.authInfo?.extra?.principal as Principal | undefined;
  if (!principal) throw new AppError('unauthenticated', 'No verified principal on this request');
  return principal;
}

/** JSON with object keys sorted at every depth, so equal arguments always digest alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortedKeys(value)) ?? 'null';
}

/**
 * `value` with the keys of every object in sorted order, for the native `JSON.stringify` to write
 * (a replacer function would be called for every value: ~1.7× slower on a 10k-row ingest). Objects
 * and arrays already in order are reused, not copied.
 */
function sortedKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return sortedKeys(withJson.toJSON());
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = sortedKeys(value[i]);
      if (v !== value[i]) {
        copy ??= value.slice();
        copy[i] = v;
      }
    }
    return copy ?? value;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  let changed = false;
  for (let i = 1; i < keys.length; i++) {
    if (keys[i - 1]! > keys[i]!) {
      changed = true;
      break;
    }
  }
  const values = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const v = record[keys[i]!];
    values[i] = sortedKeys(v);
    if (values[i] !== v) changed = true;
  }
  if (!changed) return value;
  const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const i of order) out[keys[i]!] = values[i];
  return out;
}

export function argsDigest(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args ?? {}))
    .digest('hex');
}

/** Characters hashed between two yields to the event loop. */
const DIGEST_SLICE_CHARS = 32 * 1024;
/** Arrays longer than this are written element by element (so they can be sliced). */
const LONG_ARRAY = 64;

/**
 * The same digest as {@link argsDigest}, written piece by piece and yielding to the event loop every
 * ~128k characters: a 10k-row ingest's digest (~10 ms of CPU) then runs while its handler waits on the
 * database instead of after it. Small arguments take one slice, as before.
 */
export async function argsDigestInterleaved(args: unknown): Promise<string> {
  const hash = createHash('sha256');
  let buffered = '';
  const sink = {
    write(s: string): Promise<void> | undefined {
      buffered += s;
      if (buffered.length < DIGEST_SLICE_CHARS) return undefined;
      hash.update(buffered);
      buffered = '';
      return new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
  await writeCanonical(args ?? {}, sink, true);
  hash.update(buffered);
  return hash.digest('hex');
}

type CanonicalSink = { write(s: string): Promise<void> | undefined };

/**
 * Writes exactly `canonicalJson(value)`. Long arrays go element by element, and objects on the way to
 * them key by key (`open`: not inside a long array); everything else is written whole.
 */
async function writeCanonical(value: unknown, sink: CanonicalSink, open: boolean): Promise<void> {
  const v = jsonValue(value);
  if (Array.isArray(v) && v.length > LONG_ARRAY) {
    let chunk = '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) chunk += ',';
      const item = v[i];
      if (Array.isArray(item) && item.length > LONG_ARRAY) {
        await sink.write(chunk);
        chunk = '';
        await writeCanonical(item, sink, false);
      } else {
        chunk += canonicalJson(item);
        if (chunk.length >= 16_384) {
          await sink.write(chunk);
          chunk = '';
        }
      }
    }
    await sink.write(`${chunk}]`);
    return;
  }
  if (!open || v === null || typeof v !== 'object' || Array.isArray(v)) {
    await sink.write(JSON.stringify(sortedKeys(v)) ?? 'null');
    return;
  }
  const record = v as Record<string, unknown>;
  // Key order as `canonicalJson` writes it: sorted, with integer-like keys first (object key order).
  const shell: Record<string, true> = {};
  for (const k of Object.keys(record).sort()) shell[k] = true;
  let first = true;
  for (const k of Object.keys(shell)) {
    const child = jsonValue(record[k]);
    if (child === undefined || typeof child === 'function' || typeof child === 'symbol') continue;
    await sink.write(`${first ? '{' : ','}${JSON.stringify(k)}:`);
    first = false;
    await writeCanonical(child, sink, true);
  }
  await sink.write(first ? '{}' : '}');
}

function jsonValue(v: unknown): unknown {
  const withJson = v as { toJSON?: () => unknown } | null | undefined;
  return withJson !== null && typeof withJson === 'object' && typeof withJson.toJSON === 'function'
    ? withJson.toJSON()
    : v;
}

type ToolInstruments = {
  calls: ReturnType<Metrics['counter']>;
  duration: ReturnType<Metrics['histogram']>;
};
// One set per registry: a server is created per session, prom-client refuses a metric registered twice.
const instrumentsByMetrics = new WeakMap<Metrics, ToolInstruments>();

function toolInstruments(metrics: Metrics): ToolInstruments {
  let m = instrumentsByMetrics.get(metrics);
  if (!m) {
    m = {
      calls: metrics.counter('mcp_tool_calls_total', 'MCP tool calls by outcome (ok or error code)', [
        'server',
        'tool',
        'outcome',
      ]),
      duration: metrics.histogram(
        'mcp_tool_duration_seconds',
        'MCP tool call duration',
        ['server', 'tool'],
        [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ),
    };
    instrumentsByMetrics.set(metrics, m);
  }
  return m;
}
