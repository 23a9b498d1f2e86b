import { AppError, type Logger } from '@stockpulse/core';
import type { RegistryClient } from './client.js';
import type { AgentCardInput, RegisterRequest, RegisterResponse } from './schema.js';

export type KeepRegisteredOptions = (
  | { cardUrl: string; card?: undefined }
  | { card: AgentCardInput; cardUrl?: undefined }
) & {
  registry: RegistryClient;
  /** Heartbeat period; default: what the registry asks for. */
  intervalMs?: number;
  /** Lease to ask for; default: three intervals, so two missed heartbeats are tolerated. */
  leaseSeconds?: number;
  logger?: Logger;
};

export interface Registration {
  /** The id the registry gave this agent, while registered. */
  readonly agentId: string | undefined;
  /** Resolves with the agent id after the first successful registration (never rejects). */
  readonly ready: Promise<string>;
  /** Stop heartbeating and deregister. Never throws. */
  stop(): Promise<void>;
}

/**
 * Announce an agent and keep it announced: register now, heartbeat every interval, register again
 * when the registry has forgotten it (404 after a restart or eviction) and, after any failure, retry
 * with backoff capped at one interval, so the agent is back within about one heartbeat of the
 * registry returning. Never throws; failures are logged.
 */
export function keepRegistered(opts: KeepRegisteredOptions): Registration {
  const { registry, logger } = opts;
  const leaseSeconds =
    opts.leaseSeconds ?? (opts.intervalMs ? Math.max(1, Math.ceil((3 * opts.intervalMs) / 1000)) : undefined);
  const request: RegisterRequest =
    opts.cardUrl !== undefined ? { cardUrl: opts.cardUrl, leaseSeconds } : { card: opts.card, leaseSeconds };
  const what = opts.cardUrl ?? opts.card.name;

  let agentId: string | undefined;
  let registeredOnce = false;
  let intervalMs = opts.intervalMs ?? 10_000;
  let failures = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inflight: Promise<void> = Promise.resolve();
  let markReady!: (id: string) => void;
  const ready = new Promise<string>((resolve) => {
    markReady = resolve;
  });

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      inflight = tick();
    }, ms);
    timer.unref();
  };

  const backoffMs = () => {
    const cap = Math.max(1_000, intervalMs);
    const base = Math.min(1_000, intervalMs) * 2 ** Math.min(failures - 1, 10);
    return Math.round(Math.min(cap, base) * (0.8 + Math.random() * 0.4));
  };

  const register = async () => {
    const terms: RegisterResponse = await registry.register(request);
    agentId = terms.agentId;
    intervalMs = Math.min(opts.intervalMs ?? Number.POSITIVE_INFINITY, terms.heartbeatIntervalSeconds * 1000);
    logger?.info(
      { agentId, registry: registry.baseUrl, leaseSeconds: terms.leaseSeconds, card: what },
      registeredOnce ? 'registered again' : 'registered',
    );
    registeredOnce = true;
    markReady(terms.agentId);
  };

  async function tick(): Promise<void> {
    if (stopped) return;
    try {
      if (agentId === undefined) {
        await register();
      } else {
        try {
          await registry.heartbeat(agentId);
        } catch (e) {
          if (!(e instanceof AppError && e.code === 'not_found')) throw e;
          logger?.warn(
            { agentId, registry: registry.baseUrl },
            'registry no longer knows this agent; registering again',
          );
          await register();
        }
      }
      failures = 0;
      schedule(intervalMs);
    } catch (e) {
      failures++;
      // Start over with a registration: it is idempotent and covers a registry that restarted meanwhile.
      agentId = undefined;
      const retryInMs = backoffMs();
      logger?.warn(
        { err: (e as Error).message, registry: registry.baseUrl, failures, retryInMs },
        'registration failed; retrying',
      );
      schedule(retryInMs);
    }
  }

  inflight = tick();

  return {
    get agentId() {
      return agentId;
    },
    ready,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inflight;
      const id = agentId;
      agentId = undefined;
      if (!id) return;
      try {
        await registry.deregister(id);
        logger?.info({ agentId: id, registry: registry.baseUrl }, 'deregistered');
      } catch (e) {
        logger?.warn(
          { agentId: id, err: (e as Error).message },
          'deregistration failed; the lease will expire',
        );
      }
    },
  };
}
