import { requireSameLength } from '../errors.js';
import { correlation } from './stats.js';

export interface CorrelationMatrix {
  symbols: string[];
  /** matrix[i][j] = Pearson correlation of symbols[i] and symbols[j]; NaN where a series is constant. */
  matrix: number[][];
}

/** Pearson correlation matrix of aligned return series keyed by symbol (insertion order kept). */
export function correlationMatrix(returns: Readonly<Record<string, readonly number[]>>): CorrelationMatrix {
  requireSameLength(returns);
  const symbols = Object.keys(returns);
  const series = symbols.map((s) => returns[s]!);
  const matrix = series.map((a, i) =>
    series.map((b, j) => {
      const r = correlation(a, b);
      return i === j && !Number.isNaN(r) ? 1 : r;
    }),
  );
  return { symbols, matrix };
}
