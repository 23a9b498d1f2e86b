import { expect } from 'vitest';
import { readSse } from './expected.js';

/** Log in as the demo user through the gateway; the access token. */
export async function loginDemo(gateway: string): Promise<string> {
  const res = await fetch(`${gateway}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'demo@stockpulse.local', password: 'stockpulse-demo' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * One chat turn as the web app sends it (AG-UI through the gateway): the streamed text, the
 * structured answer of the turn's STATE_SNAPSHOT, and the events. A RUN_ERROR fails the test.
 */
export async function chatTurn(gateway: string, token: string, text: string, threadId: string) {
  const res = await fetch(`${gateway}/api/v1/agent`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'text/event-stream',
    },
    body: JSON.stringify({
      threadId,
      runId: `run-${Math.random().toString(36).slice(2)}`,
      messages: [{ id: `m-${Math.random().toString(36).slice(2)}`, role: 'user', content: text }],
      tools: [],
      context: [],
      state: {},
      forwardedProps: {},
    }),
  });
  expect(res.status).toBe(200);
  const events = await readSse(res);
  const error = events.find((e) => e.type === 'RUN_ERROR');
  expect(error, JSON.stringify(error)).toBeUndefined();
  const snapshot = events.find((e) => e.type === 'STATE_SNAPSHOT') as
    | { snapshot: { answer: (Record<string, any> & { kind: string }) | null } }
    | undefined;
  return {
    text: events
      .filter((e) => e.type === 'TEXT_MESSAGE_CONTENT')
      .map((e) => e.delta)
      .join(''),
    answer: snapshot?.snapshot.answer ?? undefined,
    events,
  };
}
