/** A result array the length of the input, NaN until the indicator has enough history. */
export function nanSeries(length: number): number[] {
  return new Array<number>(length).fill(Number.NaN);
}
