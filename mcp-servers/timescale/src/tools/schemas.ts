import { z } from 'zod';
import { isCalendarDate } from '../store/validate.js';

/** Zod pieces the market tools share: what a client sees as JSON Schema comes from these. */
export const decimal = z.string().regex(/^-?\d+(\.\d+)?$/);
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
  .refine(isCalendarDate, 'not a calendar date');
export const isoInstant = z.iso.datetime({ offset: true });
export const symbol = z
  .string()
  .trim()
  .min(1)
  .max(12)
  .regex(/^[A-Za-z.-]+$/, 'letters, dots and dashes only')
  .transform((s) => s.toUpperCase());

export const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
