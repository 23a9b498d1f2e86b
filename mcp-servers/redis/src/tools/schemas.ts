import type { ToolHints } from '@stockpulse/protocols/mcp';
import { z } from 'zod';
import { LIMITS, STREAM_TOPICS } from '../store/port.js';

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export const key = z
  .string()
  .regex(LIMITS.key, 'keys are 1-200 characters of A-Z a-z 0-9 : _ - .')
  .describe('Key within your own namespace, e.g. `quotes:AAPL`');

export const cacheValue = z
  .string()
  .max(LIMITS.maxValueBytes)
  .refine((v) => utf8Bytes(v) <= LIMITS.maxValueBytes, `at most ${LIMITS.maxValueBytes} bytes (UTF-8)`)
  .describe('String value (serialize JSON yourself), at most 64 KiB');

export const topic = z.enum(STREAM_TOPICS).describe('Event topic');

export const payload = z
  .record(z.string(), z.unknown())
  .refine(
    (p) => utf8Bytes(JSON.stringify(p)) <= LIMITS.maxPayloadBytes,
    `payload JSON is at most ${LIMITS.maxPayloadBytes} bytes`,
  )
  .describe('JSON object, at most 16 KiB serialized');

const name = (what: string) => z.string().regex(LIMITS.name, `${what}: 1-64 characters of A-Z a-z 0-9 _ - .`);
export const group = name('group').describe('Consumer group: consumers in one group share the messages');
export const consumer = name('consumer').describe('This consumer within the group, e.g. `worker-1`');

export const messageId = z.string().regex(LIMITS.messageId, 'a stream id like 1718000000000-0');

export const message = z.object({ id: messageId, payload: z.record(z.string(), z.unknown()) });

export const batch = (fallback: number) => z.number().int().min(1).max(LIMITS.maxBatch).default(fallback);

/** Reads nothing but state; safe to call again. */
export const reads: ToolHints = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
};
