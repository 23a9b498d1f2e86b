import { createHash } from 'node:crypto';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  AppError,
  currentTrace,
  type ErrorCode,
  type Logger,
  type Metrics,
  toAppError,
} from '@stockpulse/core';
import { hasScope, type Principal, type Scope } from '../auth/principal.js';
import type { McpServerSpec, RequestContext, ToolDefinition } from './define.js';
import { JsonRpcAppError, toolErrorResult } from './errors.js';

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
        argsDigest: argsDigest(args),
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
    return {
      principal,
      signal: extra.signal,
      logger: log.child({ ...bindings, principal: principal.subject }),
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
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === 'object' && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    ) ?? 'null'
  );
}

export function argsDigest(args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson(args ?? {}))
    .digest('hex');
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
