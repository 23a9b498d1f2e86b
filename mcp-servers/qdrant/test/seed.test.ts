import { loadUniverse, type MarketEvent, simulatedEvents, simulateMarket } from '@stockpulse/domain';
import { describe, expect, it } from 'vitest';
import { DEMO_NEWS_SOURCE, demoNewsCorpus, macroArticleId, moveArticleId, roundupId } from '../src/seed.js';

const companies = loadUniverse();
const sim = { seed: 2024, start: '2024-01-02', end: '2024-06-28' };
const { bars, corporateActions } = simulateMarket({ ...sim, companies });
const events = simulatedEvents({ ...sim, companies });

/** The day's change against the previous close adjusted for an ex-date (dividend or split). */
function dayReturn(symbol: string, day: string) {
  const series = bars.get(symbol)!;
  const t = series.findIndex((b) => b.date === day);
  const action = corporateActions.find((a) => a.symbol === symbol && a.exDate === day);
  const prev = Number(series[t - 1]!.close);
  const base = !action ? prev : action.kind === 'split' ? prev / action.ratio : prev - Number(action.amount);
  return { bar: series[t]!, ret: Number(series[t]!.close) / base - 1 };
}

describe('demo news corpus', () => {
  const corpus = demoNewsCorpus({ seed: sim.seed, bars, companies, corporateActions });
  const moves = corpus.filter((a) => a.tags.includes('big-move'));
  const macro = corpus.filter((a) => a.tags.includes('macro'));
  const roundups = corpus.filter((a) => a.tags.includes('roundup'));

  it('has ~60 big-move articles, one per macro release and one round-up per sector, with unique ids', () => {
    expect(moves).toHaveLength(60);
    expect(roundups).toHaveLength(new Set(companies.map((c) => c.sector)).size);
    const releases = events.filter((e) => e.kind === 'macro');
    expect(releases.length).toBe(10); // six CPI prints, four FOMC statements
    expect(macro.map((a) => a.id).sort()).toEqual(
      releases.map((e) => macroArticleId(e.date, e.kind === 'macro' ? e.indicator : 'CPI')).sort(),
    );
    expect(corpus).toHaveLength(moves.length + macro.length + roundups.length);
    expect(new Set(corpus.map((a) => a.id)).size).toBe(corpus.length);
    expect(roundups.every((a) => a.id === roundupId(a.sector!, sim.end))).toBe(true);
    expect(corpus.every((a) => a.source === DEMO_NEWS_SOURCE && a.text.includes('not real news'))).toBe(true);
  });

  it('reports the simulated moves: symbol, size, direction, prices and date agree with the bars', () => {
    for (const a of moves) {
      const symbol = a.symbols[0]!;
      const day = a.publishedAt.slice(0, 10);
      expect(a.id).toBe(moveArticleId(day, symbol));
      const { bar, ret } = dayReturn(symbol, day);
      const m = /^(\S+) (\w+) (\d+\.\d)% as .+/.exec(a.title)!;
      expect(m[1]).toBe(symbol);
      expect(Number(m[3])).toBeCloseTo(Math.abs(ret) * 100, 1);
      expect(['soars', 'surges', 'rockets', 'jumps', 'rallies', 'climbs', 'gains'].includes(m[2]!)).toBe(
        ret > 0,
      );
      expect(a.text).toContain(`to $${bar.close}`);
      expect(a.tags).toContain(ret > 0 ? 'gainer' : 'decliner');
    }
  });

  it('tells the news event that caused each big move', () => {
    const news = new Map<string, MarketEvent>(
      events.filter((e) => e.symbol).map((e) => [`${e.symbol}|${e.date}`, e]),
    );
    let caused = 0;
    for (const a of moves) {
      const day = a.publishedAt.slice(0, 10);
      const e = news.get(`${a.symbols[0]}|${day}`);
      const up = a.tags.includes('gainer');
      if (!e || (e.direction === 'up') !== up) {
        expect(a.tags).toEqual(expect.arrayContaining([expect.stringMatching(/^(macro|no-news)$/)]));
        continue;
      }
      caused++;
      expect(a.tags).toContain(e.kind);
      if (e.kind === 'earnings') {
        expect(a.title).toContain(`${e.quarter} results ${up ? 'beat' : 'miss'} estimates`);
        expect(a.text).toContain(`${Math.abs(e.epsSurprisePct).toFixed(1)}% ${up ? 'above' : 'below'}`);
      }
      if (e.kind === 'guidance') expect(a.title).toContain(`its FY ${e.fiscalYear} outlook`);
      if (e.kind === 'analyst') expect(a.text).toContain(`${e.firm} ${e.action}d`);
    }
    // The jumps make the news: nearly every one of the largest moves is a company event.
    expect(caused / moves.length).toBeGreaterThan(0.9);
  });

  it('writes each macro release with the market’s move that day', () => {
    for (const a of macro) {
      expect(a.title).toMatch(/^Stocks (rise|fall) \d+\.\d% (as|despite) /);
      expect(a.symbols).toEqual([]);
      expect(a.text).toMatch(/consumer price index|Federal Reserve/);
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
        const size = Math.abs(dayReturn(symbol, series[t]!.date).ret);
        if (size > best.size) best = { symbol, day: series[t]!.date, size };
      }
    }
    expect(corpus.map((a) => a.id)).toContain(moveArticleId(best.day, best.symbol));
    expect(best.size * 100).toBeGreaterThanOrEqual(smallestPicked);
  });

  it('is deterministic for the seed and changes with it', () => {
    expect(demoNewsCorpus({ seed: sim.seed, bars, companies, corporateActions })).toEqual(corpus);
    const other = simulateMarket({ ...sim, seed: 7, companies });
    expect(demoNewsCorpus({ seed: 7, ...other, companies }).map((a) => a.id)).not.toEqual(
      corpus.map((a) => a.id),
    );
  });
});
