import { AppError, createServiceApp, type Logger, type Metrics } from '@stockpulse/core';
import { type CredentialVerifier, hasScope, type Principal } from '@stockpulse/protocols/auth';
import {
  DEFAULT_LEASE_SECONDS,
  type HeartbeatResponse,
  type RegisterResponse,
  type RegistryEntry,
  type RegistryEntryDetail,
  type RegistrySkill,
  registerRequestSchema,
  type SearchResult,
  searchQuerySchema,
} from '@stockpulse/protocols/registry';
import type { ZodType } from 'zod';
import { fetchAgentCard, formatIssues, issueList, parseAgentCard } from './card.js';
import { decodeCursor, encodeCursor, searchAgents } from './search.js';
import { type AgentRecord, AgentStore } from './store.js';

export interface RegistryDeps {
  logger: Logger;
  metrics: Metrics;
  /** Bearer-token check; main builds it on the auth server's JWKS, tests on their own keys. */
  verify: CredentialVerifier;
  /** Lease for agents that do not ask for one. */
  defaultLeaseSeconds?: number;
  cardFetchTimeoutMs?: number;
  /** How often lapsed leases are reported and dead agents evicted. */
  sweepIntervalMs?: number;
  now?: () => number;
}

export interface RegistryApp {
  app: ReturnType<typeof createServiceApp>;
  store: AgentStore;
  /** Stop the lease sweeper (the HTTP server is the caller's to close). */
  close(): void;
}

export function createRegistryApp(deps: RegistryDeps): RegistryApp {
  const { logger, metrics, verify } = deps;
  const defaultLeaseSeconds = deps.defaultLeaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const cardFetchTimeoutMs = deps.cardFetchTimeoutMs ?? 5_000;
  const store = new AgentStore(deps.now);
  const app = createServiceApp({ name: 'registry', logger, metrics, health: () => store.counts() });

  const registrations = metrics.counter(
    'registry_registrations_total',
    'Agent registrations by card source',
    ['source'],
  );
  const leaseEvents = metrics.counter('registry_lease_events_total', 'Lapsed leases and evictions', [
    'event',
  ]);
  const cardFetchSeconds = metrics.histogram(
    'registry_card_fetch_seconds',
    'Agent card fetch time by outcome',
    ['outcome'],
  );

  const requireService = async (authorization: string | undefined): Promise<Principal> => {
    const principal = await verify(authorization);
    if (principal.kind !== 'service' && !hasScope(principal, 'service')) {
      throw new AppError('forbidden', 'Registering, renewing or removing agents needs a service credential');
    }
    return principal;
  };

  app.use('/v1/*', async (c, next) => {
    await next();
    if (c.res.status === 401) c.res.headers.set('WWW-Authenticate', 'Bearer realm="stockpulse-registry"');
  });

  const fetchCard = async (cardUrl: string) => {
    const t0 = performance.now();
    let outcome = 'ok';
    try {
      const fetched = await fetchAgentCard(cardUrl, cardFetchTimeoutMs);
      return {
        card: fetched.card,
        cardUrl,
        lastCardFetchAt: fetched.fetchedAt,
        cardFetchLatencyMs: fetched.latencyMs,
      };
    } catch (e) {
      outcome = e instanceof AppError ? e.code : 'internal';
      throw e;
    } finally {
      cardFetchSeconds.observe({ outcome }, (performance.now() - t0) / 1000);
    }
  };

  app.post('/v1/agents', async (c) => {
    const principal = await requireService(c.req.header('authorization'));
    const body = parseWith(registerRequestSchema, await readJson(c.req), 'Invalid registration');
    const leaseSeconds = body.leaseSeconds ?? defaultLeaseSeconds;

    const registration =
      body.cardUrl !== undefined
        ? await fetchCard(body.cardUrl)
        : {
            card: parseAgentCard(body.card, 'The card in the body', 'card'),
            cardUrl: null,
            lastCardFetchAt: null,
            cardFetchLatencyMs: null,
          };
    const { record, replaced } = store.upsert({
      ...registration,
      leaseSeconds,
      registeredBy: principal.subject,
    });
    registrations.inc({ source: record.cardUrl ? 'card_url' : 'body' });
    logger.info(
      {
        agentId: record.agentId,
        name: record.card.name,
        url: record.url,
        cardUrl: record.cardUrl,
        leaseSeconds,
        by: principal.subject,
        replaced,
      },
      'agent registered',
    );
    return c.json(leaseTerms(record) satisfies RegisterResponse, replaced ? 200 : 201);
  });

  app.put('/v1/agents/:id/heartbeat', async (c) => {
    await requireService(c.req.header('authorization'));
    const record = store.heartbeat(c.req.param('id'));
    if (!record) throw notRegistered(c.req.param('id'));
    return c.json({ ...leaseTerms(record), healthy: true } satisfies HeartbeatResponse);
  });

  app.delete('/v1/agents/:id', async (c) => {
    const principal = await requireService(c.req.header('authorization'));
    const id = c.req.param('id');
    if (!store.remove(id)) throw notRegistered(id);
    logger.info({ agentId: id, by: principal.subject }, 'agent deregistered');
    return c.body(null, 204);
  });

  app.get('/v1/agents', async (c) => {
    await verify(c.req.header('authorization'));
    const query = parseWith(searchQuerySchema, c.req.query(), 'Invalid search');
    const { matches, total, nextOffset } = searchAgents(
      store.all(),
      query,
      { offset: decodeCursor(query.cursor), limit: query.limit },
      (r) => store.isHealthy(r),
    );
    return c.json({
      agents: matches.map(toEntry),
      total,
      nextCursor: nextOffset === null ? null : encodeCursor(nextOffset),
    } satisfies SearchResult);
  });

  app.get('/v1/agents/:id', async (c) => {
    await verify(c.req.header('authorization'));
    const record = store.get(c.req.param('id'));
    if (!record) throw notRegistered(c.req.param('id'));
    return c.json({
      ...toEntry(record),
      leaseSeconds: record.leaseSeconds,
      card: record.card,
    } satisfies RegistryEntryDetail);
  });

  // Public on purpose: the catalog is how clients outside the mesh discover what it offers.
  app.get('/.well-known/ai-catalog.json', (c) => {
    c.header('content-type', 'application/ai-catalog+json');
    c.header('cache-control', 'public, max-age=5');
    return c.body(JSON.stringify(aiCatalog(store.all().filter((r) => store.isHealthy(r)))));
  });

  function toEntry(r: AgentRecord): RegistryEntry {
    return {
      agentId: r.agentId,
      name: r.card.name,
      description: r.card.description,
      version: r.card.version,
      url: r.url,
      cardUrl: r.cardUrl,
      skills: skillSummaries(r),
      registeredAt: new Date(r.registeredAt).toISOString(),
      lastHeartbeatAt: new Date(r.lastHeartbeatAt).toISOString(),
      lastCardFetchAt: r.lastCardFetchAt === null ? null : new Date(r.lastCardFetchAt).toISOString(),
      cardFetchLatencyMs: r.cardFetchLatencyMs,
      healthy: store.isHealthy(r),
    };
  }

  const sweeper = setInterval(() => {
    const { lapsed, evicted } = store.sweep();
    for (const r of lapsed) {
      leaseEvents.inc({ event: 'lapsed' });
      logger.warn(
        { agentId: r.agentId, name: r.card.name, leaseSeconds: r.leaseSeconds },
        'agent lease lapsed; marked unhealthy',
      );
    }
    for (const r of evicted) {
      leaseEvents.inc({ event: 'evicted' });
      logger.warn({ agentId: r.agentId, name: r.card.name }, 'agent evicted after missing its heartbeats');
    }
  }, deps.sweepIntervalMs ?? 1_000);
  sweeper.unref();

  return { app, store, close: () => clearInterval(sweeper) };
}

function skillSummaries(r: AgentRecord): RegistrySkill[] {
  return r.card.skills.map(({ id, name, description, tags }) => ({ id, name, description, tags }));
}

/** Two missed heartbeats still fit in one lease. */
function leaseTerms(r: AgentRecord): RegisterResponse {
  return {
    agentId: r.agentId,
    leaseSeconds: r.leaseSeconds,
    heartbeatIntervalSeconds: Math.round((r.leaseSeconds * 1000) / 3) / 1000,
  };
}

function notRegistered(id: string): AppError {
  return new AppError(
    'not_found',
    `Agent ${id} is not registered (lease expired or registry restarted); register again`,
  );
}

/**
 * An AI Catalog (https://github.com/Agent-Card/ai-catalog) of the healthy agents: a card URL when the
 * registry fetched the card, the card inline when the agent sent it, and the skills for quick filtering.
 */
function aiCatalog(records: AgentRecord[]) {
  return {
    specVersion: '1.0',
    host: { displayName: 'StockPulse agent registry' },
    entries: records
      .sort((a, b) => a.card.name.localeCompare(b.card.name))
      .map((r) => ({
        identifier: `urn:stockpulse:agent:${r.agentId}`,
        type: 'application/a2a-agent-card+json',
        displayName: r.card.name,
        description: r.card.description,
        version: r.card.version,
        tags: [...new Set(r.card.skills.flatMap((s) => s.tags))],
        updatedAt: new Date(r.lastCardFetchAt ?? r.registeredAt).toISOString(),
        ...(r.cardUrl ? { url: r.cardUrl } : { data: r.card }),
        extensions: { skills: skillSummaries(r) },
      })),
  };
}

async function readJson(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError('bad_request', 'Request body must be JSON');
  }
}

function parseWith<T>(schema: ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new AppError('bad_request', `${what}: ${formatIssues(parsed.error)}`, {
      issues: issueList(parsed.error),
    });
  }
  return parsed.data;
}
