import {
  createLogger,
  createMetrics,
  createServiceApp,
  type Logger,
  listen,
  loadConfig,
  type Metrics,
  onShutdown,
  type ServiceEndpoint,
  type StockPulseConfig,
} from '@stockpulse/core';
import type { Hono } from 'hono';
import {
  type AgentCard,
  type AgentExecutor,
  createPushSigner,
  mcpPushConfigStore,
  mcpTaskStore,
  mountA2A,
} from '../a2a/index.js';
import { ServiceTokenSource } from '../auth/service-token.js';
import type { CredentialVerifier } from '../auth/verifier.js';
import { connectMcp } from '../mcp/client.js';
import { RegistryClient } from '../registry/client.js';
import { keepRegistered } from '../registry/keep-registered.js';
import { meshVerifier } from './mcp-service.js';

export interface AgentServiceContext {
  config: StockPulseConfig;
  logger: Logger;
  metrics: Metrics;
  /** This agent's own service token (registry calls; never used to act for a user). */
  serviceTokens: ServiceTokenSource;
  registry: RegistryClient;
  /** Verifies a caller's credential (JWT via JWKS, API key via introspection). */
  verify: CredentialVerifier;
}

export interface AgentDefinition {
  executor: AgentExecutor;
  /** The Agent Card, given the URL peers reach this agent at. */
  card: (publicUrl: string) => AgentCard;
  /** More routes on the same app (the user-assistant's AG-UI endpoint). */
  routes?: (app: Hono) => void;
  close?: () => Promise<void>;
}

/**
 * The one entry point of every agent: config, logging, metrics, the A2A endpoint and card, and
 * registration with the registry (heartbeat, re-register after a registry restart).
 *
 * Agents are stateless: A2A tasks and push-notification configs live in the postgres MCP server
 * (agent-state tools, called with each caller's own token), so any replica answers for any task and
 * a killed process loses nothing. Push notifications are signed with a key derived from the service
 * secret and the agent's name (the same on every replica), published at `/.well-known/jwks.json`.
 */
export async function runAgentService(
  name: 'user-assistant' | 'portfolio-manager',
  endpoint: (config: StockPulseConfig) => ServiceEndpoint,
  build: (ctx: AgentServiceContext) => Promise<AgentDefinition>,
): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(name, config.logLevel);
  const metrics = createMetrics(name);
  if (!config.serviceSecret)
    throw new Error('STOCKPULSE_SERVICE_SECRET must be set for agents (stockpulse start sets it)');
  const serviceTokens = new ServiceTokenSource({
    authUrl: config.mcp.auth.url,
    clientId: name,
    clientSecret: config.serviceSecret,
  });
  const registry = new RegistryClient(config.services.registry.url, {
    authorization: () => serviceTokens.authorization(),
  });
  const verify = meshVerifier(config, name);
  const agent = await build({ config, logger, metrics, serviceTokens, registry, verify });

  const { port, url: publicUrl } = endpoint(config);
  // The session credential is the agent's own; every task call carries the caller's token.
  const agentState = connectMcp(config.mcp.postgres.url, {
    name,
    sessionAuthorization: () => serviceTokens.authorization(),
    logger,
  });
  const signer = await createPushSigner({
    issuer: publicUrl,
    key: { secret: config.serviceSecret, keyName: name },
  });
  const app = createServiceApp({ name, logger, metrics });
  mountA2A(app, {
    card: () => agent.card(publicUrl),
    executor: agent.executor,
    verify,
    logger,
    metrics,
    taskStore: mcpTaskStore(agentState, { logger }),
    push: { signer, store: mcpPushConfigStore(agentState, { logger }) },
  });
  agent.routes?.(app);
  const server = await listen(app, { port, host: config.host });
  logger.info({ url: server.url }, 'agent listening');

  const registration = keepRegistered({
    registry,
    cardUrl: `${publicUrl}/.well-known/agent-card.json`,
    intervalMs: config.heartbeatMs,
    logger,
  });
  onShutdown(logger, async () => {
    await registration.stop();
    await server.close();
    await agent.close?.();
    await agentState.close();
  });
}
