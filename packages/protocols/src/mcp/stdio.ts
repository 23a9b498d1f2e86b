import type { Readable, Writable } from 'node:stream';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createLogger, type Logger, type Metrics } from '@stockpulse/core';
import { pino } from 'pino';
import type { Principal } from '../auth/principal.js';
import type { McpServerSpec } from './define.js';
import { type AuditSink, createMcpServer } from './server.js';

export interface McpStdioOptions {
  /** The local user a desktop client acts for (`via: 'stdio'`). */
  principal: Principal;
  /** Should be `createLogger(name, level, { toStderr: true })`; a logger writing to stdout is replaced by one that does not. */
  logger: Logger;
  metrics: Metrics;
  onAudit?: AuditSink;
  /** For tests; default the process's own stdin/stdout. */
  stdin?: Readable;
  stdout?: Writable;
}

export interface McpStdioHandle {
  server: McpServer;
  /** Settles when the client goes away (stdin ends) or `close()` is called. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serve `spec` over stdio for desktop MCP clients. stdout is the protocol channel, so logs go to
 * stderr and `console.log` is pointed at stderr too (a stray print would corrupt the stream).
 */
export async function serveMcpStdio(spec: McpServerSpec, opts: McpStdioOptions): Promise<McpStdioHandle> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const logger = stdout === process.stdout ? ensureStderr(opts.logger, spec.name) : opts.logger;
  if (stdout === process.stdout) {
    console.log = console.error;
    console.info = console.error;
    console.debug = console.error;
  }
  const server = createMcpServer(spec, {
    logger,
    metrics: opts.metrics,
    onAudit: opts.onAudit,
    principalFor: () => opts.principal,
  });
  const transport = new StdioServerTransport(stdin, stdout);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  transport.onclose = () => resolveClosed();
  transport.onerror = (err) => logger.warn({ err: err.message }, 'mcp stdio transport error');
  await server.connect(transport);
  stdin.once('end', () => void server.close());
  logger.info({ principal: opts.principal.subject }, 'mcp server listening on stdio');
  return {
    server,
    closed,
    close: async () => {
      await server.close();
      await closed;
    },
  };
}

/** stdout carries the protocol: a logger pointed at it would corrupt the stream. */
function ensureStderr(logger: Logger, service: string): Logger {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as
    | { fd?: number }
    | undefined;
  if (stream !== process.stdout && stream?.fd !== 1) return logger;
  const { service: bound, name: _name, ...bindings } = logger.bindings();
  const name = typeof bound === 'string' ? bound : service;
  const replacement = createLogger(name, logger.level, { toStderr: true }).child(bindings);
  replacement.debug('the logger given to serveMcpStdio wrote to stdout; logging to stderr instead');
  return replacement;
}
