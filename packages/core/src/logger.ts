import { type Logger, pino } from 'pino';
import { currentTrace } from './trace.js';

export type { Logger };

/**
 * One JSON line per event, stamped with the service name and the current trace id. Over stdio MCP,
 * stdout is the protocol channel: pass `toStderr`.
 */
export function createLogger(service: string, level = 'info', opts: { toStderr?: boolean } = {}): Logger {
  return pino(
    {
      name: service,
      level,
      base: { service },
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin() {
        const t = currentTrace();
        return t ? { traceId: t.traceId, spanId: t.spanId } : {};
      },
      redact: {
        paths: ['password', '*.password', 'authorization', '*.authorization', 'token', '*.token'],
        remove: true,
      },
    },
    pino.destination({ fd: opts.toStderr ? 2 : 1, sync: false }),
  );
}
