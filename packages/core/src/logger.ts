import { pino, type Logger } from 'pino';
import { currentTrace } from './trace.js';

export type { Logger };

/** One JSON line per event on stdout, stamped with the service name and the current trace id. */
export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin() {
      const t = currentTrace();
      return t ? { traceId: t.traceId, spanId: t.spanId } : {};
    },
    redact: { paths: ['password', '*.password', 'authorization', '*.authorization', 'token', '*.token'], remove: true },
  });
}
