import { AppError } from '@stockpulse/core';
import type { AgentRecord } from './store.js';

export interface AgentFilter {
  skill?: string;
  tag?: string;
  mode?: string;
  q?: string;
  healthy?: boolean;
}

export interface Page {
  offset: number;
  limit: number;
}

/**
 * Filter and rank agents. `skill` is an exact skill id; `tag` and `mode` match case-insensitively;
 * `q` scores each word against name > skill id/name > tag > description > skill description, and
 * agents that match no word are left out. Ties: healthy first, then name, then id (a stable order
 * is what makes offset cursors usable).
 */
export function searchAgents(
  records: AgentRecord[],
  filter: AgentFilter,
  page: Page,
  isHealthy: (r: AgentRecord) => boolean,
): { matches: AgentRecord[]; total: number; nextOffset: number | null } {
  const words = filter.q?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
  const scored: { record: AgentRecord; score: number; healthy: boolean }[] = [];
  for (const record of records) {
    const healthy = isHealthy(record);
    if (filter.healthy !== undefined && healthy !== filter.healthy) continue;
    if (!matchesFilter(record, filter)) continue;
    const score = words.length ? textScore(record, words) : 0;
    if (words.length && score === 0) continue;
    scored.push({ record, score, healthy });
  }
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      Number(b.healthy) - Number(a.healthy) ||
      a.record.card.name.localeCompare(b.record.card.name) ||
      a.record.agentId.localeCompare(b.record.agentId),
  );
  const end = page.offset + page.limit;
  return {
    matches: scored.slice(page.offset, end).map((s) => s.record),
    total: scored.length,
    nextOffset: end < scored.length ? end : null,
  };
}

function matchesFilter({ card }: AgentRecord, filter: AgentFilter): boolean {
  if (filter.skill && !card.skills.some((s) => s.id === filter.skill)) return false;
  if (filter.tag) {
    const tag = filter.tag.toLowerCase();
    if (!card.skills.some((s) => s.tags.some((t) => t.toLowerCase() === tag))) return false;
  }
  if (filter.mode) {
    const mode = filter.mode.toLowerCase();
    const modes = [
      ...card.defaultInputModes,
      ...card.defaultOutputModes,
      ...card.skills.flatMap((s) => [...(s.inputModes ?? []), ...(s.outputModes ?? [])]),
    ];
    if (!modes.some((m) => m.toLowerCase() === mode)) return false;
  }
  return true;
}

function textScore({ card }: AgentRecord, words: string[]): number {
  const name = card.name.toLowerCase();
  const description = card.description.toLowerCase();
  const skills = card.skills.map((s) => ({
    title: `${s.id} ${s.name}`.toLowerCase(),
    description: s.description.toLowerCase(),
    tags: s.tags.map((t) => t.toLowerCase()),
  }));
  let score = 0;
  for (const w of words) {
    if (name.includes(w)) score += 8;
    if (skills.some((s) => s.title.includes(w))) score += 4;
    if (skills.some((s) => s.tags.includes(w))) score += 3;
    if (description.includes(w)) score += 2;
    if (skills.some((s) => s.description.includes(w))) score += 1;
  }
  return score;
}

/** Cursors are opaque to clients: an offset into the ranked result, base64url-encoded. */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through to the error below
  }
  throw new AppError('bad_request', 'Invalid cursor: pass back the nextCursor of a previous page');
}
