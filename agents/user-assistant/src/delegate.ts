import { AsyncLocalStorage } from 'node:async_hooks';
import { AppError, type Logger } from '@stockpulse/core';
import { type A2AAnswer, type A2AClient, createA2AClient, sendText } from '@stockpulse/protocols/a2a';
import { discoverBySkill, pickAgent, type RegistryClient } from '@stockpulse/protocols/registry';

const DELEGATION_TIMEOUT_MS = 20_000;

/**
 * Delegation to specialist agents: find agents with a skill in the registry, spread calls over the
 * healthy ones, and on a failure to reach one try the next (read-only skills are safe to retry).
 * The call carries the user's own token, so the specialist acts for that user and nobody else.
 */
export class Delegator {
  private readonly clients = new Map<string, Promise<A2AClient>>();
  private readonly callAuthorization = new AsyncLocalStorage<string>();
  private readonly lastKnown = new Map<string, Awaited<ReturnType<typeof discoverBySkill>>>();

  constructor(
    private readonly registry: RegistryClient,
    private readonly logger: Logger,
  ) {}

  async delegate(
    skill: string,
    text: string,
    opts: { authorization: string; data?: Record<string, unknown>; signal?: AbortSignal },
  ): Promise<A2AAnswer & { agent: string }> {
    const agents = await discoverBySkill(this.registry, skill).then(
      (found) => {
        this.lastKnown.set(skill, found);
        return found;
      },
      (e) => {
        // The registry is soft state and may be restarting: use the agents it listed last time.
        const known = this.lastKnown.get(skill);
        if (known?.length) {
          this.logger.warn(
            { skill, err: (e as Error).message },
            'registry unavailable; using last known agents',
          );
          return known;
        }
        throw new AppError('unavailable', `The agent registry is unavailable (${(e as Error).message})`);
      },
    );
    if (agents.length === 0) {
      throw new AppError(
        'unavailable',
        `No agent with the '${skill}' skill is available right now. Please try again shortly.`,
      );
    }
    const first = pickAgent(agents, skill)!;
    const order = [first, ...agents.filter((a) => a.agentId !== first.agentId)].slice(0, 2);
    let lastError: unknown;
    for (const agent of order) {
      try {
        const client = await this.client(agent.cardUrl ?? agent.url);
        const signal = AbortSignal.any([
          AbortSignal.timeout(DELEGATION_TIMEOUT_MS),
          ...(opts.signal ? [opts.signal] : []),
        ]);
        const answer = await this.callAuthorization.run(opts.authorization, () =>
          sendText(client, text, { data: { skill, ...opts.data }, signal }),
        );
        return { ...answer, agent: agent.name };
      } catch (e) {
        lastError = e;
        const retryable = e instanceof AppError && (e.code === 'unavailable' || e.code === 'timeout');
        this.logger.warn(
          { agent: agent.name, url: agent.url, err: (e as Error).message, retryable },
          'delegation failed',
        );
        if (!retryable) throw e;
        this.clients.delete(agent.cardUrl ?? agent.url);
      }
    }
    throw lastError;
  }

  private client(cardUrl: string): Promise<A2AClient> {
    let client = this.clients.get(cardUrl);
    if (!client) {
      const base = cardUrl.replace(/\/\.well-known\/agent-card\.json$/, '');
      client = createA2AClient(base, {
        authorization: () => {
          const a = this.callAuthorization.getStore();
          if (!a) throw new AppError('unauthenticated', 'Delegation needs the user’s credential');
          return a;
        },
      });
      client.catch(() => this.clients.delete(cardUrl));
      this.clients.set(cardUrl, client);
    }
    return client;
  }
}
