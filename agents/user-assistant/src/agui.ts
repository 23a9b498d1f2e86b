import { randomUUID } from 'node:crypto';
import { type BaseEvent, EventType } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { EventEncoder } from '@ag-ui/encoder';
import { AppError, type Logger, toAppError } from '@stockpulse/core';
import type { CredentialVerifier } from '@stockpulse/protocols/auth';
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { type AssistantGraph, runTurn } from './brain/graph.js';

export const AGUI_PATH = '/agui';

/** The text of the latest user message of an AG-UI run (string content or text parts). */
export function lastUserText(
  messages: ReadonlyArray<{ role: string; content?: unknown }>,
): string | undefined {
  const m = [...messages].reverse().find((x) => x.role === 'user');
  if (!m) return undefined;
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) {
    return m.content
      .flatMap((p: { type?: string; text?: string }) => (p.type === 'text' && p.text ? [p.text] : []))
      .join('\n');
  }
  return undefined;
}

/** Split an answer into deltas of a few words so it streams like typing without one event per word. */
export function chunks(text: string, size = 48): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of text.match(/\S+\s*/g) ?? [text]) {
    current += word;
    if (current.length >= size) {
      out.push(current);
      current = '';
    }
  }
  if (current) out.push(current);
  return out;
}

/**
 * The AG-UI endpoint: `RunAgentInput` in, a `text/event-stream` of AG-UI events out. Every run
 * needs the user's bearer token; a malformed input is a 400 before any event is sent.
 */
export function mountAgui(
  app: Hono,
  deps: { graph: AssistantGraph; verify: CredentialVerifier; logger: Logger },
): void {
  app.post(AGUI_PATH, async (c) => {
    const principal = await deps.verify(c.req.header('authorization'));
    if (!principal.userId || !principal.token)
      throw new AppError('forbidden', 'The assistant acts for a user');
    const body = await c.req.json().catch(() => {
      throw new AppError('bad_request', 'Body must be JSON (an AG-UI RunAgentInput)');
    });
    const parsed = RunAgentInputSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'bad_request',
        `Invalid RunAgentInput: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
      );
    }
    const input = parsed.data;
    const text = lastUserText(input.messages as Array<{ role: string; content?: unknown }>);
    if (!text?.trim()) throw new AppError('bad_request', 'Invalid RunAgentInput: no user message to answer');

    const encoder = new EventEncoder({ accept: c.req.header('accept') });
    c.header('content-type', encoder.getContentType());
    return streamSSE(c, async (sse) => {
      const abort = new AbortController();
      sse.onAbort(() => abort.abort());
      const send = (event: BaseEvent) => sse.write(encoder.encode(event));
      const base = { threadId: input.threadId, runId: input.runId };
      await send({ type: EventType.RUN_STARTED, ...base } as BaseEvent);
      try {
        const result = await runTurn(
          deps.graph,
          {
            text,
            authorization: `Bearer ${principal.token}`,
            threadId: input.threadId,
            signal: abort.signal,
          },
          (stepName, phase) =>
            void send({
              type: phase === 'started' ? EventType.STEP_STARTED : EventType.STEP_FINISHED,
              stepName,
            } as BaseEvent),
        );
        // The structured answer (valuation, risk report, analysis, plan, order preview) for the UI,
        // every turn: null when the turn had none, so a stale preview never stays on screen.
        const snapshot = result.portfolio
          ? { portfolio: result.portfolio, answer: result.data ?? null }
          : { answer: result.data ?? null };
        await send({ type: EventType.STATE_SNAPSHOT, snapshot } as BaseEvent);
        const messageId = randomUUID();
        await send({ type: EventType.TEXT_MESSAGE_START, messageId, role: 'assistant' } as BaseEvent);
        for (const delta of chunks(result.text)) {
          await send({ type: EventType.TEXT_MESSAGE_CONTENT, messageId, delta } as BaseEvent);
        }
        await send({ type: EventType.TEXT_MESSAGE_END, messageId } as BaseEvent);
        await send({ type: EventType.RUN_FINISHED, ...base } as BaseEvent);
        deps.logger.info({ intent: result.intent, threadId: input.threadId }, 'turn answered');
      } catch (e) {
        const err = toAppError(e);
        if (err.code === 'internal') deps.logger.error({ err: e }, 'turn failed');
        await send({ type: EventType.RUN_ERROR, message: err.message, code: err.code } as BaseEvent);
      }
    });
  });
}
