import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Per-process Prometheus registry with the default Node metrics and the HTTP server histogram. */
export function createMetrics(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    registry,
    httpRequestDuration,
    counter<L extends string>(name: string, help: string, labelNames: readonly L[]) {
      return new Counter({ name, help, labelNames, registers: [registry] });
    },
    histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets?: number[]) {
      return new Histogram({
        name,
        help,
        labelNames,
        registers: [registry],
        ...(buckets ? { buckets } : {}),
      });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
