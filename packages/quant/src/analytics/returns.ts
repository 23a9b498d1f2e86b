/** Period-over-period simple returns v[i]/v[i−1] − 1; one shorter than the input. */
export function simpleReturns(values: readonly number[]): number[] {
  return values.slice(1).map((v, i) => v / values[i]! - 1);
}

/** Period-over-period log returns ln(v[i]/v[i−1]); one shorter than the input. */
export function logReturns(values: readonly number[]): number[] {
  return values.slice(1).map((v, i) => Math.log(v / values[i]!));
}
