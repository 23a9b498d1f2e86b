import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { AppError, toAppError } from './errors.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { childContext, parseTraceparent, runWithTrace } from './trace.js';

export interface ServiceAppOptions {
  name: string;
  logger: Logger;
  metrics: Metrics;
  /** Extra facts for `/healthz`; throw to report the service unhealthy (503). */
  health?: () => Promise<Record<string, unknown>> | Record<string, unknown>;
}

/**
 * A hono app with what every StockPulse process serves: trace context from `traceparent`,
 * one access-log line per request, Prometheus metrics at `/metrics`, `/healthz`, and errors as
 * `{ error: { code, message } }` JSON with the status they mean.
 */
export function createServiceApp({ name, logger, metrics, health }: ServiceAppOptions): Hono {
  const app = new Hono();
  const startedAt = Date.now();

  app.use('*', async (c, next) => {
    const ctx = childContext(parseTraceparent(c.req.header('traceparent')));
    const t0 = performance.now();
    await runWithTrace(ctx, next);
    const seconds = (performance.now() - t0) / 1000;
    const route = routePath(c) ?? 'unmatched';
    metrics.httpRequestDuration.observe(
      { method: c.req.method, route, status: String(c.res.status) },
      seconds,
    );
    if (c.req.path !== '/healthz' && c.req.path !== '/metrics') {
      logger.info(
        {
          traceId: ctx.traceId,
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    }
  });

  app.get('/healthz', async (c) => {
    try {
      const extra = health ? await health() : {};
      return c.json({
        status: 'ok',
        service: name,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        ...extra,
      });
    } catch (e) {
      return c.json({ status: 'unavailable', service: name, error: (e as Error).message }, 503);
    }
  });

  app.get('/metrics', async (c) => {
    c.header('content-type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.onError((err, c) => {
    const appErr =
      'getResponse' in err && typeof err.getResponse === 'function' ? undefined : toAppError(err);
    if (!appErr) return (err as unknown as { getResponse: () => Response }).getResponse();
    if (appErr.code === 'internal') logger.error({ err }, 'unhandled error');
    return c.json(appErr.toJSON(), appErr.status as 400);
  });
  app.notFound((c) =>
    c.json(new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`).toJSON(), 404),
  );
  return app;
}

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Listen on host:port (0 picks a free port) and resolve once the socket is bound. */
export function listen(app: Hono, opts: { port: number; host: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    let server: ServerType;
    try {
      server = serve({ fetch: app.fetch, port: opts.port, hostname: opts.host }, (info) => {
        resolve({
          url: `http://${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((res) => {
              const s = server as unknown as {
                closeAllConnections?: () => void;
                close: (cb: () => void) => void;
              };
              s.close(() => res());
              s.closeAllConnections?.();
            }),
        });
      });
      server.once('error', reject);
    } catch (e) {
      reject(e);
    }
  });
}

/**
 * Run `cleanup` once on SIGINT/SIGTERM, then exit. A second signal, or cleanup taking longer
 * than `graceMs`, exits at once so a stuck dependency can never keep the process alive.
 */
export function onShutdown(logger: Logger, cleanup: () => Promise<void>, graceMs = 8000): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.warn('shutdown grace period elapsed; exiting');
      process.exit(1);
    }, graceMs);
    timer.unref();
    cleanup()
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((err) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
