import type { RegistryClient } from './client.js';
import type { RegistryEntry, SearchQuery } from './schema.js';

/** Every healthy agent offering `skill` (exact skill id), across all result pages. */
export async function discoverBySkill(
  registry: RegistryClient,
  skill: string,
  filter: Omit<SearchQuery, 'skill' | 'healthy' | 'limit' | 'cursor'> = {},
): Promise<RegistryEntry[]> {
  const agents: RegistryEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await registry.search({ ...filter, skill, healthy: true, limit: 100, cursor });
    agents.push(...page.agents);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return agents;
}

const turns = new Map<string, number>();

/**
 * Round-robin over `agents`, one rotation per `key` (use the skill id). Agents are taken in id order,
 * so the rotation does not depend on how the registry ranked them.
 */
export function pickAgent(agents: RegistryEntry[], key = ''): RegistryEntry | undefined {
  if (agents.length === 0) return undefined;
  const ordered = [...agents].sort((a, b) => a.agentId.localeCompare(b.agentId));
  const turn = turns.get(key) ?? 0;
  turns.set(key, (turn + 1) % Number.MAX_SAFE_INTEGER);
  return ordered[turn % ordered.length];
}
