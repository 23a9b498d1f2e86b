import { A2A_PROTOCOL_VERSION, type AgentCard, AgentCard as AgentCardCodec } from '@a2a-js/sdk';
import { duplicateInterfacesForLegacy } from '@a2a-js/sdk/compat/v0_3';
import { LegacyJsonRpcTransportHandler } from '@a2a-js/sdk/compat/v0_3/server';
import type { A2ARequestHandler, ServerCallContext } from '@a2a-js/sdk/server';

export const DEFAULT_A2A_PATH = '/a2a';

/** Names of the security schemes on every StockPulse card. */
export const SECURITY_SCHEME = {
  /** `Authorization: Bearer <ES256 JWT>` from the auth server (users' access tokens, service tokens). */
  bearer: 'bearer',
  /** `Authorization: Bearer spk_…`: an API key, resolved by the auth server (external agents). */
  apiKey: 'apiKey',
} as const;

export interface AgentSkillSpec {
  id: string;
  name: string;
  description: string;
  tags?: string[];
  examples?: string[];
  inputModes?: string[];
  outputModes?: string[];
}

export interface AgentCardOptions {
  name: string;
  description: string;
  /** The agent's own version (semver), not the protocol's. */
  version: string;
  /** Base URL peers reach this agent at; the JSON-RPC endpoint is `<publicUrl><path>`. */
  publicUrl: string;
  path?: string;
  skills: AgentSkillSpec[];
  streaming?: boolean;
  pushNotifications?: boolean;
  defaultInputModes?: string[];
  defaultOutputModes?: string[];
  documentationUrl?: string;
  iconUrl?: string;
  providerUrl?: string;
  /** Also advertise the endpoint as A2A v0.3 JSON-RPC (pair with `mountA2A({ legacyCompat: true })`). */
  legacyCompat?: boolean;
}

/** A valid A2A v1.0 AgentCard for a StockPulse agent served by `mountA2A`. */
export function agentCard(opts: AgentCardOptions): AgentCard {
  const base = opts.publicUrl.replace(/\/+$/, '');
  const endpoint = `${base}${opts.path ?? DEFAULT_A2A_PATH}`;
  const v1 = [
    { url: endpoint, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
  ];
  return {
    name: opts.name,
    description: opts.description,
    version: opts.version,
    supportedInterfaces: opts.legacyCompat ? duplicateInterfacesForLegacy(v1, ['JSONRPC']) : v1,
    provider: { organization: 'StockPulse', url: opts.providerUrl ?? base },
    documentationUrl: opts.documentationUrl,
    iconUrl: opts.iconUrl,
    capabilities: {
      streaming: opts.streaming ?? true,
      pushNotifications: opts.pushNotifications ?? false,
      extensions: [],
      extendedAgentCard: false,
    },
    securitySchemes: {
      [SECURITY_SCHEME.bearer]: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            scheme: 'Bearer',
            bearerFormat: 'JWT',
            description: 'StockPulse access token (ES256 JWT issued by the StockPulse auth server).',
          },
        },
      },
      [SECURITY_SCHEME.apiKey]: {
        scheme: {
          $case: 'httpAuthSecurityScheme',
          value: {
            scheme: 'Bearer',
            bearerFormat: 'spk_ API key',
            description:
              'StockPulse API key sent as `Authorization: Bearer spk_…`; trading needs the trade scope.',
          },
        },
      },
    },
    // Either scheme satisfies the agent (requirements are alternatives).
    securityRequirements: [
      { schemes: { [SECURITY_SCHEME.bearer]: { list: [] } } },
      { schemes: { [SECURITY_SCHEME.apiKey]: { list: [] } } },
    ],
    defaultInputModes: opts.defaultInputModes ?? ['text/plain', 'application/json'],
    defaultOutputModes: opts.defaultOutputModes ?? ['text/plain', 'application/json'],
    skills: opts.skills.map((s) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tags: s.tags ?? [],
      examples: s.examples ?? [],
      inputModes: s.inputModes ?? [],
      outputModes: s.outputModes ?? [],
      securityRequirements: [],
    })),
    signatures: [],
  };
}

/** The card as wire JSON (ProtoJSON: `httpAuthSecurityScheme`, `securityRequirements[].schemes`, …). */
export function agentCardJson(card: AgentCard): Record<string, unknown> {
  return AgentCardCodec.toJSON(card) as Record<string, unknown>;
}

/** A card from wire JSON (what `/.well-known/agent-card.json` or the registry returns). */
export function parseAgentCard(json: unknown): AgentCard {
  return AgentCardCodec.fromJSON(json);
}

/**
 * The card in v0.3 shape (`url`, `preferredTransport`, `protocolVersion`, `security`), for v0.3 peers.
 * The SDK keeps its translator private to its Express router; its v0.3 JSON-RPC handler exposes it
 * through `agent/getAuthenticatedExtendedCard`, which is what this asks.
 */
export async function legacyAgentCardJson(card: AgentCard): Promise<Record<string, unknown>> {
  const cardOnly = { getAuthenticatedExtendedAgentCard: async () => card } as unknown as A2ARequestHandler;
  const res = await new LegacyJsonRpcTransportHandler(cardOnly).handle(
    { jsonrpc: '2.0', id: 0, method: 'agent/getAuthenticatedExtendedCard' },
    {} as ServerCallContext,
  );
  if (Symbol.asyncIterator in res || res.error || !res.result) {
    throw new Error(`No v0.3 card: ${JSON.stringify('error' in res ? res.error : res)}`);
  }
  return res.result as Record<string, unknown>;
}
