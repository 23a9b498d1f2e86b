import { z } from 'zod';
import { BrokerError } from '../errors.js';

export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';

const decimal = z.string().regex(/^\d+(\.\d+)?$/);

/** Parsed once at the edge (from the environment or a secrets store), never read deeper in. */
export const AlpacaConfigSchema = z.strictObject({
  /** Our account id that these Alpaca keys trade for; every other account id is not found. */
  accountId: z.string().min(1),
  keyId: z.string().min(1),
  secretKey: z.string().min(1),
  mode: z.enum(['paper', 'live']).default('paper'),
  /** Live trading moves real money: it needs this flag as well as `mode: 'live'`. */
  allowLive: z.boolean().default(false),
  /** Overrides the URL of `mode` (a proxy, a test server); the live host still needs `allowLive`. */
  baseUrl: z.url().optional(),
  /** HS256 key for confirmation tokens, at least 32 characters. */
  confirmationSecret: z.string().min(32),
  limits: z
    .strictObject({
      maxPositionWeight: decimal,
      maxOrderNotional: decimal,
      priceCollarPct: decimal,
      dailyLossLimitPct: decimal,
    })
    .partial()
    .default({}),
  timeoutMs: z.number().int().positive().default(10_000),
});
export type AlpacaConfigInput = z.input<typeof AlpacaConfigSchema>;
export type AlpacaConfig = z.output<typeof AlpacaConfigSchema>;

export function parseAlpacaConfig(input: unknown): AlpacaConfig {
  const parsed = AlpacaConfigSchema.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`)
      .join('; ');
    throw new BrokerError('invalid_config', `Invalid Alpaca configuration: ${fields}`);
  }
  return parsed.data;
}

/** The REST base URL; refuses the live host unless `allowLive` is set. */
export function alpacaBaseUrl(config: AlpacaConfig): string {
  const url = (config.baseUrl ?? (config.mode === 'live' ? ALPACA_LIVE_URL : ALPACA_PAPER_URL)).replace(
    /\/+$/,
    '',
  );
  const live = config.mode === 'live' || new URL(url).hostname === new URL(ALPACA_LIVE_URL).hostname;
  if (live && !config.allowLive) {
    throw new BrokerError(
      'live_trading_disabled',
      `Alpaca live trading is disabled: it trades real money at ${ALPACA_LIVE_URL}. ` +
        "Set allowLive: true (with mode: 'live') to enable it, or use mode: 'paper'.",
    );
  }
  return url;
}
