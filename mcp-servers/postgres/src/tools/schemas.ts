import { z } from 'zod';

/** Zod pieces shared by the ledger tools: one declaration each, so every tool says the same thing. */

export const decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('Exact decimal as a string');

export const accountId = z
  .string()
  .uuid()
  .optional()
  .describe("Account id; omit for the user's primary account");

export const symbol = z
  .string()
  .regex(/^[A-Z][A-Z0-9.-]{0,9}$/)
  .describe('Ticker in upper case, e.g. AAPL or BRK.B');

export const limit = z.number().int().min(1).max(200).default(50).describe('Page size (1-200)');

export const cursor = z
  .string()
  .max(200)
  .optional()
  .describe('nextCursor from the previous page; omit for the first page');

export const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as cursor to get the next page; null on the last');

export const timestamp = z.string().describe('ISO 8601 timestamp');

export const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;
