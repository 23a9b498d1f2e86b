/**
 * Why a quant function refused its input. Every code is a caller error (HTTP 400 / MCP invalid params)
 * except `no_solution`, which says the data admit no answer (e.g. an IRR that does not exist).
 */
export type QuantErrorCode = 'invalid_argument' | 'length_mismatch' | 'insufficient_data' | 'no_solution';

export class QuantError extends Error {
  constructor(
    readonly code: QuantErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'QuantError';
  }
}

export function requirePeriod(name: string, period: number, min = 1): void {
  if (!Number.isInteger(period) || period < min) {
    throw new QuantError('invalid_argument', `${name} must be an integer ≥ ${min}, got ${period}`, {
      [name]: period,
    });
  }
}

export function requireSameLength(series: Record<string, ArrayLike<unknown>>): number {
  const lengths = Object.entries(series).map(([name, s]) => [name, s.length] as const);
  const n = lengths[0]?.[1] ?? 0;
  if (lengths.some(([, len]) => len !== n)) {
    throw new QuantError(
      'length_mismatch',
      'Input series must have the same length',
      Object.fromEntries(lengths),
    );
  }
  return n;
}
