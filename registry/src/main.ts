import { createLogger, createMetrics, listen, loadConfig, onShutdown } from '@stockpulse/core';
import { createVerifier } from '@stockpulse/protocols/auth';
import { createRegistryApp } from './app.js';

const config = loadConfig();
const logger = createLogger('registry', config.logLevel);
const metrics = createMetrics('registry');
const verify = createVerifier({ authUrl: config.mcp.auth.url });

// Agents heartbeat every AGENT_HEARTBEAT_MS; a lease of three intervals tolerates two missed beats.
const registry = createRegistryApp({
  logger,
  metrics,
  verify,
  defaultLeaseSeconds: Math.max(1, Math.ceil((3 * config.heartbeatMs) / 1000)),
});
const server = await listen(registry.app, { port: config.services.registry.port, host: config.host });
logger.info({ url: server.url, authUrl: config.mcp.auth.url }, 'registry listening');

onShutdown(logger, async () => {
  registry.close();
  await server.close();
});
