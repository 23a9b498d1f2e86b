import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createLogger, createMetrics, listen, loadConfig, onShutdown } from '@stockpulse/core';
import { ServiceTokenSource } from '@stockpulse/protocols/auth';
import { connectMcp } from '@stockpulse/protocols/mcp';
import { meshVerifier } from '@stockpulse/protocols/runtime';
import { createGatewayApp } from './app.js';

const config = loadConfig();
const logger = createLogger('gateway', config.logLevel);
const metrics = createMetrics('gateway');
if (!config.serviceSecret)
  throw new Error('STOCKPULSE_SERVICE_SECRET must be set (stockpulse start sets it)');
const tokens = new ServiceTokenSource({
  authUrl: config.mcp.auth.url,
  clientId: 'gateway',
  clientSecret: config.serviceSecret,
});
const serviceAuthorization = () => tokens.authorization();
const auth = connectMcp(config.mcp.auth.url, { name: 'gateway', sessionAuthorization: serviceAuthorization });

const app = createGatewayApp({
  logger,
  metrics,
  verify: meshVerifier(config, 'gateway'),
  auth,
  serviceAuthorization,
  userAssistantUrl: config.services.userAssistant.url,
  publicUrl: config.services.gateway.url,
  webDist: join(dirname(createRequire(import.meta.url).resolve('@stockpulse/web/package.json')), 'dist'),
});
const server = await listen(app, { port: config.services.gateway.port, host: config.host });
logger.info({ url: server.url }, 'gateway listening');
onShutdown(logger, async () => {
  await server.close();
  await auth.close();
});
