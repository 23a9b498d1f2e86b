import { requirePeriod } from '../errors.js';
import { nanSeries } from './series.js';

/**
 * Relative strength index, 100·avgGain/(avgGain+avgLoss), with Wilder smoothing.
 * Seeding (TA-Lib default, lookback = period): the first value, at index `period`, uses the simple
 * averages of the first `period` gains and losses (the changes at bars 1…period); then
 * avg = (avg·(period−1) + today)/period. A window with no movement at all gives 0, as in TA-Lib.
 */
export function rsi(values: readonly number[], period = 14): number[] {
  requirePeriod('period', period);
  const out = nanSeries(values.length);
  if (values.length <= period) return out;
  let gain = 0;
  let loss = 0;
  for (let i = 1; i <= period; i++) {
    const change = values[i]! - values[i - 1]!;
    if (change > 0) gain += change;
    else loss -= change;
  }
  gain /= period;
  loss /= period;
  out[period] = ratio(gain, loss);
  for (let i = period + 1; i < values.length; i++) {
    const change = values[i]! - values[i - 1]!;
    gain = (gain * (period - 1) + Math.max(change, 0)) / period;
    loss = (loss * (period - 1) + Math.max(-change, 0)) / period;
    out[i] = ratio(gain, loss);
  }
  return out;
}

function ratio(gain: number, loss: number): number {
  const total = gain + loss;
  return total === 0 ? 0 : (100 * gain) / total;
}
