import { createHash } from 'node:crypto';
import type { RegisteredAgentCard } from '@stockpulse/protocols/registry';

/**
 * In-memory soft-state store of registered agents.
 *
 * Nothing here survives a restart, on purpose: every agent heartbeats, gets a 404 from a registry that
 * no longer knows it, and re-registers within one heartbeat interval (see `keepRegistered`). A lease
 * that is not renewed marks the agent unhealthy; three leases evict it.
 */
export interface AgentRecord {
  agentId: string;
  card: RegisteredAgentCard;
  /** Null when the agent sent its card in the request body. */
  cardUrl: string | null;
  /** The agent's A2A JSON-RPC endpoint. */
  url: string;
  leaseSeconds: number;
  /** `sub` of the credential that registered it. */
  registeredBy: string;
  registeredAt: number;
  lastHeartbeatAt: number;
  lastCardFetchAt: number | null;
  cardFetchLatencyMs: number | null;
}

export type NewAgent = Omit<AgentRecord, 'agentId' | 'url' | 'registeredAt' | 'lastHeartbeatAt'>;

/** An unhealthy agent is dropped after this many leases without a heartbeat. */
export const EVICT_AFTER_LEASES = 3;

export class AgentStore {
  private readonly agents = new Map<string, AgentRecord>();
  /** Agents already reported as expired by `sweep`, so each lapse is reported once. */
  private readonly lapsed = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Register, or replace the entry with the same identity (card URL, else name + endpoint). */
  upsert(agent: NewAgent): { record: AgentRecord; replaced: boolean } {
    const url = jsonRpcUrl(agent.card);
    const agentId = agentIdFor(agent.cardUrl ?? `card:${agent.card.name}@${url}`);
    const now = this.now();
    const record: AgentRecord = { ...agent, agentId, url, registeredAt: now, lastHeartbeatAt: now };
    const replaced = this.agents.has(agentId);
    this.agents.set(agentId, record);
    this.lapsed.delete(agentId);
    return { record, replaced };
  }

  /** Renew the lease; undefined when the agent is unknown (evicted, or the registry restarted). */
  heartbeat(agentId: string): AgentRecord | undefined {
    const record = this.agents.get(agentId);
    if (!record) return undefined;
    record.lastHeartbeatAt = this.now();
    this.lapsed.delete(agentId);
    return record;
  }

  remove(agentId: string): boolean {
    this.lapsed.delete(agentId);
    return this.agents.delete(agentId);
  }

  get(agentId: string): AgentRecord | undefined {
    return this.agents.get(agentId);
  }

  all(): AgentRecord[] {
    return [...this.agents.values()];
  }

  isHealthy(record: AgentRecord, now = this.now()): boolean {
    return now - record.lastHeartbeatAt <= record.leaseSeconds * 1000;
  }

  counts(): { agents: number; healthyAgents: number } {
    const now = this.now();
    let healthyAgents = 0;
    for (const r of this.agents.values()) if (this.isHealthy(r, now)) healthyAgents++;
    return { agents: this.agents.size, healthyAgents };
  }

  /** Report newly lapsed leases and evict agents silent for `EVICT_AFTER_LEASES` leases. */
  sweep(): { lapsed: AgentRecord[]; evicted: AgentRecord[] } {
    const now = this.now();
    const lapsed: AgentRecord[] = [];
    const evicted: AgentRecord[] = [];
    for (const r of this.agents.values()) {
      const silentMs = now - r.lastHeartbeatAt;
      if (silentMs > EVICT_AFTER_LEASES * r.leaseSeconds * 1000) {
        this.remove(r.agentId);
        evicted.push(r);
      } else if (!this.isHealthy(r, now) && !this.lapsed.has(r.agentId)) {
        this.lapsed.add(r.agentId);
        lapsed.push(r);
      }
    }
    return { lapsed, evicted };
  }
}

/** Stable across registry restarts, so an agent that re-registers gets its old id back. */
export function agentIdFor(identity: string): string {
  return `agt_${createHash('sha256').update(identity).digest('hex').slice(0, 16)}`;
}

/** The card's first JSON-RPC interface, else its first interface (the card's preferred one). */
export function jsonRpcUrl(card: RegisteredAgentCard): string {
  const preferred = card.supportedInterfaces.find((i) => i.protocolBinding.toUpperCase() === 'JSONRPC');
  return (preferred ?? card.supportedInterfaces[0]!).url;
}
