import type { AgentCard } from '@a2a-js/sdk';
import { z } from 'zod';

/**
 * The registry's wire contract, shared by the service (`registry/`) and its client. Zod schemas are
 * the single source of truth: the service validates with them, the client's types come from them.
 */

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

/** Empty lists are omitted by the SDK's ProtoJSON serializer, so lists default to `[]` rather than being required. */
const stringList = z.array(z.string()).default([]);

export const agentSkillSchema = z.looseObject({
  id: z.string().min(1),
  name: z.string().min(1),
  description: z.string().default(''),
  tags: stringList,
  examples: z.array(z.string()).optional(),
  inputModes: z.array(z.string()).optional(),
  outputModes: z.array(z.string()).optional(),
});

export const agentInterfaceSchema = z.looseObject({
  url: httpUrl,
  protocolBinding: z.string().min(1),
  protocolVersion: z.string().optional(),
  tenant: z.string().optional(),
});

/**
 * A v0.3 card names its endpoint in `url`/`preferredTransport`/`additionalInterfaces`; A2A v1.0 moved
 * them to `supportedInterfaces`. Lift the old form into the new so external v0.3 agents can register.
 */
function liftLegacyInterfaces(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const card = raw as Record<string, unknown>;
  if (card.supportedInterfaces !== undefined || typeof card.url !== 'string') return raw;
  const protocolVersion = typeof card.protocolVersion === 'string' ? card.protocolVersion : '0.3';
  const extra = Array.isArray(card.additionalInterfaces)
    ? (card.additionalInterfaces as Record<string, unknown>[])
    : [];
  const supportedInterfaces = [
    { url: card.url, protocolBinding: card.preferredTransport ?? 'JSONRPC', protocolVersion },
    ...extra
      .filter((i) => i && i.url !== card.url)
      .map((i) => ({ url: i.url, protocolBinding: i.transport, protocolVersion })),
  ];
  return { ...card, supportedInterfaces };
}

const agentCardFields = z.looseObject({
  name: z.string().trim().min(1),
  description: z.string(),
  version: z.string().min(1),
  supportedInterfaces: z.array(agentInterfaceSchema).min(1, 'must list at least one interface'),
  skills: z.array(agentSkillSchema).default([]),
  defaultInputModes: stringList,
  defaultOutputModes: stringList,
});

/** The parts of an A2A Agent Card the registry relies on; every other field is kept as sent. */
export const agentCardSchema = z.preprocess(liftLegacyInterfaces, agentCardFields);

export type RegisteredAgentCard = z.output<typeof agentCardSchema>;
/** A card as an agent may send it: the SDK's `AgentCard`, or any JSON with the fields above. */
export type AgentCardInput = AgentCard | z.input<typeof agentCardFields>;

export const MIN_LEASE_SECONDS = 1;
export const MAX_LEASE_SECONDS = 3600;
export const DEFAULT_LEASE_SECONDS = 30;

/** `POST /v1/agents`: either a card URL the registry fetches itself, or the card in the body. */
export const registerRequestSchema = z
  .strictObject({
    cardUrl: httpUrl.optional(),
    // The card is validated on its own so its errors can name `card.<path>`.
    card: z.record(z.string(), z.unknown(), 'must be a JSON object').optional(),
    leaseSeconds: z.number().int().min(MIN_LEASE_SECONDS).max(MAX_LEASE_SECONDS).optional(),
  })
  .refine((b) => (b.cardUrl === undefined) !== (b.card === undefined), {
    message: 'give exactly one of `cardUrl` or `card`',
  });

export type RegisterRequest =
  | { cardUrl: string; leaseSeconds?: number }
  | { card: AgentCardInput; leaseSeconds?: number };

export interface RegisterResponse {
  agentId: string;
  leaseSeconds: number;
  /** Heartbeat at least this often; the lease tolerates two missed beats. */
  heartbeatIntervalSeconds: number;
}

export interface HeartbeatResponse extends RegisterResponse {
  healthy: boolean;
}

export interface RegistrySkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
}

/** One agent as search returns it. Times are ISO-8601 strings. */
export interface RegistryEntry {
  agentId: string;
  name: string;
  description: string;
  version: string;
  /** The agent's A2A JSON-RPC endpoint (its first JSONRPC interface, else its first interface). */
  url: string;
  /** Where the card was fetched from; null when the agent sent its card in the body. */
  cardUrl: string | null;
  skills: RegistrySkill[];
  registeredAt: string;
  lastHeartbeatAt: string;
  lastCardFetchAt: string | null;
  cardFetchLatencyMs: number | null;
  healthy: boolean;
}

/** `GET /v1/agents/:id`: the entry plus the full card and lease. */
export interface RegistryEntryDetail extends RegistryEntry {
  leaseSeconds: number;
  card: RegisteredAgentCard;
}

export const searchQuerySchema = z.object({
  skill: z.string().min(1).optional(),
  tag: z.string().min(1).optional(),
  mode: z.string().min(1).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  healthy: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});

export interface SearchQuery {
  skill?: string;
  tag?: string;
  /** A media type the agent accepts or produces (e.g. `text/plain`). */
  mode?: string;
  /** Free text over name, description and skill names/descriptions/tags. */
  q?: string;
  healthy?: boolean;
  limit?: number;
  cursor?: string;
}

export interface SearchResult {
  agents: RegistryEntry[];
  total: number;
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}
