import type { StockPulseConfig } from '@stockpulse/core';

/** One process the supervisor runs. */
export interface ServiceSpec {
  name: string;
  /** TypeScript entry point, relative to the repo root or absolute. */
  entry: string;
  /** Extra arguments after the entry. */
  args?: string[];
  /** Extra Node.js flags before the entry. */
  nodeArgs?: string[];
  /** The esbuild bundle of `entry`, run with plain node instead of tsx (set by `bundleServices`). */
  bundled?: string;
  /** Port the service binds; checked free before start. */
  port?: number;
  /** The env var that sets `port`, named in the error when the port is taken. */
  portEnv?: string;
  /** Answers 200 once the service is ready. */
  healthUrl: string;
  /** Services that must be healthy before this one starts (and stop after it). */
  dependsOn: string[];
  /** How long the first health check may take (data servers migrate and seed on first start). */
  startTimeoutMs: number;
}

/**
 * Servers that may run PGlite: V8's baseline WASM compiler alone (no TurboFan tier-up) keeps an
 * idle embedded Postgres ~60 MB smaller and answers the first queries faster (measured in bench/).
 */
export const PGLITE_NODE_ARGS = ['--liftoff-only'];

export const DATA_SERVERS = ['auth', 'postgres', 'timescale', 'redis', 'qdrant', 'graphiti'] as const;
export const SERVICE_NAMES = [
  ...DATA_SERVERS,
  'registry',
  'portfolio-manager',
  'user-assistant',
  'gateway',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const DATA_SERVER_START_MS = 90_000;
const SERVICE_START_MS = 30_000;

/**
 * Where the supervisor checks a service it runs itself: the local bind address, not the
 * `*_URL` overrides (those may name a proxy or the public gateway URL).
 */
export function localBaseUrl(config: StockPulseConfig, port: number): string {
  const h = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/**
 * The StockPulse mesh, in dependency order. Auth publishes the JWKS every other service verifies
 * with, so it comes first; the data servers start together; the agents need the registry and the
 * data servers; the gateway fronts everything.
 */
export function meshServices(config: StockPulseConfig): ServiceSpec[] {
  const data = (name: (typeof DATA_SERVERS)[number]): ServiceSpec => ({
    name,
    entry: `mcp-servers/${name}/src/main.ts`,
    port: config.mcp[name].port,
    portEnv: `MCP_${name.toUpperCase()}_PORT`,
    healthUrl: `${localBaseUrl(config, config.mcp[name].port)}/healthz`,
    dependsOn: name === 'auth' ? [] : ['auth'],
    startTimeoutMs: DATA_SERVER_START_MS,
    nodeArgs: name === 'redis' ? [] : PGLITE_NODE_ARGS,
  });
  const service = (
    name: string,
    entry: string,
    port: number,
    portEnv: string,
    dependsOn: string[],
  ): ServiceSpec => ({
    name,
    entry,
    port,
    portEnv,
    healthUrl: `${localBaseUrl(config, port)}/healthz`,
    dependsOn,
    startTimeoutMs: SERVICE_START_MS,
  });
  const { registry, portfolioManager, userAssistant, gateway } = config.services;
  return [
    ...DATA_SERVERS.map(data),
    // Registry needs only auth (it verifies agents' tokens), so it starts alongside the data servers.
    service('registry', 'registry/src/main.ts', registry.port, 'REGISTRY_PORT', ['auth']),
    service(
      'portfolio-manager',
      'agents/portfolio-manager/src/main.ts',
      portfolioManager.port,
      'PORTFOLIO_MANAGER_PORT',
      ['registry', 'postgres', 'timescale', 'redis', 'qdrant', 'graphiti'],
    ),
    service(
      'user-assistant',
      'agents/user-assistant/src/main.ts',
      userAssistant.port,
      'USER_ASSISTANT_PORT',
      ['registry', 'portfolio-manager', 'postgres', 'timescale', 'redis', 'qdrant', 'graphiti'],
    ),
    service('gateway', 'gateway/src/main.ts', gateway.port, 'GATEWAY_PORT', [
      'auth',
      'registry',
      'user-assistant',
      'redis',
    ]),
  ];
}

/** The URL clients use for each service (config-derived, so `*_URL` overrides are honoured). */
export function meshUrls(config: StockPulseConfig): Record<ServiceName, string> {
  return {
    auth: config.mcp.auth.url,
    postgres: config.mcp.postgres.url,
    timescale: config.mcp.timescale.url,
    redis: config.mcp.redis.url,
    qdrant: config.mcp.qdrant.url,
    graphiti: config.mcp.graphiti.url,
    registry: config.services.registry.url,
    'portfolio-manager': config.services.portfolioManager.url,
    'user-assistant': config.services.userAssistant.url,
    gateway: config.services.gateway.url,
  };
}

/**
 * The named services plus everything they depend on, in manifest order. Unknown names throw.
 */
export function selectServices(specs: ServiceSpec[], names?: readonly string[]): ServiceSpec[] {
  if (!names) return specs;
  const byName = new Map(specs.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  const add = (name: string) => {
    if (wanted.has(name)) return;
    const spec = byName.get(name);
    if (!spec) throw new Error(`Unknown service "${name}"; known: ${[...byName.keys()].join(', ')}`);
    wanted.add(name);
    for (const dep of spec.dependsOn) add(dep);
  };
  for (const name of names) add(name);
  return specs.filter((s) => wanted.has(s.name));
}
