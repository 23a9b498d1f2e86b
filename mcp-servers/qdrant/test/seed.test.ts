import { loadUniverse, simulateDailyBars } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { DEMO_NEWS_SOURCE, demoNewsCorpus, moveArticleId, roundupId } from '../src/seed.js';

const companies = loadUniverse();
const sim = { seed: 2024, start: '2024-01-02', end: '2024-06-28' };
const bars = simulateDailyBars({ ...sim, companies });

describe('demo news corpus', () => {
  const corpus = demoNewsCorpus({ seed: sim.seed, bars, companies });
  const moves = corpus.filter((a) => a.tags.includes('big-move'));
  const roundups = corpus.filter((a) => a.tags.includes('roundup'));

  it('has ~60 big-move articles and one round-up per sector, with unique ids', () => {
    expect(moves).toHaveLength(60);
    expect(roundups).toHaveLength(new Set(companies.map((c) => c.sector)).size);
    expect(new Set(corpus.map((a) => a.id)).size).toBe(corpus.length);
    expect(roundups.every((a) => a.id === roundupId(a.sector, sim.end))).toBe(true);
    expect(corpus.every((a) => a.source === DEMO_NEWS_SOURCE && a.text.includes('not real news'))).toBe(true);
  });

  it('reports the simulated moves: symbol, size, direction, prices and date agree with the bars', () => {
    for (const a of moves) {
      const symbol = a.symbols[0]!;
      const day = a.publishedAt.slice(0, 10);
      expect(a.id).toBe(moveArticleId(day, symbol));
      const series = bars.get(symbol)!;
      const t = series.findIndex((b) => b.date === day);
      const ret = Number(series[t]!.close) / Number(series[t - 1]!.close) - 1;
      const m = /^(\S+) (\w+) (\d+\.\d)% as .+/.exec(a.title)!;
      expect(m[1]).toBe(symbol);
      expect(Number(m[3])).toBeCloseTo(Math.abs(ret) * 100, 1);
      expect(['soars', 'surges', 'rockets', 'jumps', 'rallies', 'climbs', 'gains'].includes(m[2]!)).toBe(
        ret > 0,
      );
      expect(a.text).toContain(`to $${series[t]!.close}`);
      expect(a.tags).toContain(ret > 0 ? 'gainer' : 'decliner');
    }
  });

  it('picks the largest moves, at most two per symbol', () => {
    const smallestPicked = Math.min(...moves.map((a) => Number(/(\d+\.\d)%/.exec(a.title)![1])));
    const perSymbol = new Map<string, number>();
    for (const a of moves) perSymbol.set(a.symbols[0]!, (perSymbol.get(a.symbols[0]!) ?? 0) + 1);
    expect(Math.max(...perSymbol.values())).toBeLessThanOrEqual(2);
    // The single largest move in the whole history is in the corpus.
    let best = { symbol: '', day: '', size: 0 };
    for (const [symbol, series] of bars) {
      for (let t = 1; t < series.length; t++) {
        const size = Math.abs(Number(series[t]!.close) / Number(series[t - 1]!.close) - 1);
        if (size > best.size) best = { symbol, day: series[t]!.date, size };
      }
    }
    expect(corpus.map((a) => a.id)).toContain(moveArticleId(best.day, best.symbol));
    expect(best.size * 100).toBeGreaterThanOrEqual(smallestPicked);
  });

  it('is deterministic for the seed and changes with it', () => {
    expect(demoNewsCorpus({ seed: sim.seed, bars, companies })).toEqual(corpus);
    const other = simulateDailyBars({ ...sim, seed: 7, companies });
    expect(demoNewsCorpus({ seed: 7, bars: other, companies }).map((a) => a.id)).not.toEqual(
      corpus.map((a) => a.id),
    );
  });
});
