import { AppError, tracedFetch } from '@stockpulse/core';
import { agentCardSchema, type RegisteredAgentCard } from '@stockpulse/protocols/registry';
import type { ZodError } from 'zod';

/** Cards are small; anything bigger is not a card. */
const MAX_CARD_BYTES = 256 * 1024;

export interface FetchedCard {
  card: RegisteredAgentCard;
  fetchedAt: number;
  latencyMs: number;
}

/**
 * Fetch and validate the agent card at `cardUrl`. A response that is not a card (404, HTML, invalid
 * JSON, missing fields) is the caller's mistake: `bad_request`. An unreachable host is `unavailable`
 * and a slow one `timeout`, both worth retrying.
 */
export async function fetchAgentCard(cardUrl: string, timeoutMs: number): Promise<FetchedCard> {
  const t0 = performance.now();
  const fail = (message: string, details: Record<string, unknown> = {}) =>
    new AppError('bad_request', `Agent card at ${cardUrl} ${message}`, { cardUrl, ...details });

  let res: Response;
  try {
    res = await tracedFetch(cardUrl, {
      headers: { accept: 'application/json' },
      redirect: 'follow',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') {
      throw new AppError('timeout', `Agent card at ${cardUrl} did not answer within ${timeoutMs} ms`, {
        cardUrl,
      });
    }
    const reason = err.cause?.code ?? err.cause?.message ?? err.message;
    throw new AppError('unavailable', `Agent card at ${cardUrl} could not be fetched: ${reason}`, {
      cardUrl,
      reason,
    });
  }

  if (!res.ok) {
    await res.body?.cancel();
    throw fail(`returned HTTP ${res.status}; expected 200 with the card JSON`, {
      upstreamStatus: res.status,
    });
  }
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType && !/\bjson\b|\+json\b/i.test(contentType)) {
    await res.body?.cancel();
    throw fail(`returned ${contentType.split(';')[0]}, not JSON`, { contentType });
  }
  const text = await res.text();
  if (text.length > MAX_CARD_BYTES) throw fail(`is larger than ${MAX_CARD_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw fail('is not valid JSON');
  }
  const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
  return { card: parseAgentCard(raw, `Agent card at ${cardUrl}`), fetchedAt: Date.now(), latencyMs };
}

/** Validate a card; the error names each bad field (`skills.0.id: ...`). */
export function parseAgentCard(raw: unknown, what: string, pathPrefix = ''): RegisteredAgentCard {
  const parsed = agentCardSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError(
      'bad_request',
      `${what} is not a valid A2A agent card: ${formatIssues(parsed.error, pathPrefix)}`,
      {
        issues: issueList(parsed.error, pathPrefix),
      },
    );
  }
  return parsed.data;
}

export function issueList(error: ZodError, pathPrefix = ''): { path: string; message: string }[] {
  return error.issues.map((i) => ({
    path: [pathPrefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

export function formatIssues(error: ZodError, pathPrefix = ''): string {
  return issueList(error, pathPrefix)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join('; ');
}
