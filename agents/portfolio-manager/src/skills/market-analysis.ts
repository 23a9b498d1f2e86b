import { AppError } from '@stockpulse/core';
import { formatUsd, money } from '@stockpulse/domain';
import { mean, rollingVolatility, rsi, sma } from '@stockpulse/quant';
import { callTool, type DailyBarsResult, type SkillContext } from './context.js';

interface Quote {
  symbol: string;
  price: string;
  previousClose: string | null;
  change: string | null;
  changePercent: string | null;
  asOf: string;
  /** True while the session trades: the price is live, the change is today's so far. */
  live?: boolean;
}
interface Company {
  symbol: string;
  name: string;
  sector: string;
  subIndustry: string;
}
interface Article {
  id: string;
  title: string;
  snippet: string;
  publishedAt: string;
  symbols: string[];
}
interface Fact {
  relation: string;
  fact: string;
  source: { name: string };
  target: { name: string };
}

export interface MarketAnalysis {
  kind: 'market-analysis';
  symbol: string;
  name: string;
  sector: string;
  subIndustry: string;
  quote: Quote;
  /** Average day change of the other companies in the same sub-industry (percent), when there are any. */
  peers: { count: number; averageChangePercent: string } | null;
  technicals: {
    rsi14: string | null;
    sma20: string | null;
    sma50: string | null;
    /** Annualized, from the last 20 daily log returns. */
    volatility20dPercent: string | null;
    change20dPercent: string | null;
  };
  news: Array<{ title: string; publishedAt: string; snippet: string }>;
  relations: string[];
  text: string;
}

const HISTORY = 60;
const fixed = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? null : x.toFixed(d));

/**
 * The `market-analysis` skill: how a stock moved and the likely why, from evidence only — its
 * latest move against its sub-industry peers (market/sector vs company-specific), technicals from
 * @stockpulse/quant, the latest news about it and its relations in the knowledge graph.
 */
export async function analyseMarket(ctx: SkillContext, symbol: string): Promise<MarketAnalysis> {
  const sym = symbol.trim().toUpperCase();
  const found = await callTool<{ results: Company[] }>(ctx, ctx.data.market, 'search_symbols', {
    query: sym,
    limit: 5,
  });
  const company = found.results.find((c) => c.symbol === sym);
  if (!company) throw new AppError('unknown_symbol', `Unknown symbol: ${sym}`);

  const [quotes, history, peersFound, news, graph] = await Promise.all([
    callTool<{ quotes: Quote[] }>(ctx, ctx.data.market, 'get_latest_quotes', { symbols: [sym] }),
    callTool<DailyBarsResult>(ctx, ctx.data.market, 'get_daily_bars', { symbol: sym, limit: HISTORY }),
    callTool<{ results: Company[] }>(ctx, ctx.data.market, 'search_symbols', {
      query: company.subIndustry,
      limit: 40,
    }),
    // News and the graph are context, not the answer: without them the analysis still stands.
    callTool<{ results: Article[] }>(ctx, ctx.data.news, 'search_documents', {
      query: `${company.name} ${sym} shares`,
      symbols: [sym],
      limit: 5,
    }).catch(() => ({ results: [] as Article[] })),
    callTool<{ facts: Fact[] }>(ctx, ctx.data.graph, 'get_entity', { entity: sym, limit: 30 }).catch(() => ({
      facts: [] as Fact[],
    })),
  ]);
  const quote = quotes.quotes[0]!;

  const peerSymbols = peersFound.results
    .filter((c) => c.subIndustry === company.subIndustry && c.symbol !== sym)
    .map((c) => c.symbol);
  let peers: MarketAnalysis['peers'] = null;
  if (peerSymbols.length > 0) {
    const pq = await callTool<{ quotes: Quote[] }>(ctx, ctx.data.market, 'get_latest_quotes', {
      symbols: peerSymbols.slice(0, 100),
    });
    const changes = pq.quotes.flatMap((q) => (q.changePercent === null ? [] : [Number(q.changePercent)]));
    if (changes.length > 0) peers = { count: changes.length, averageChangePercent: mean(changes).toFixed(2) };
  }

  const closes = history.bars.map((b) => Number(b.close));
  const last = <T>(xs: T[]) => xs.at(-1);
  const technicals = {
    rsi14: closes.length > 14 ? fixed(last(rsi(closes, 14)), 1) : null,
    sma20: closes.length >= 20 ? fixed(last(sma(closes, 20))) : null,
    sma50: closes.length >= 50 ? fixed(last(sma(closes, 50))) : null,
    volatility20dPercent:
      closes.length > 20
        ? fixed((last(rollingVolatility(closes, 20, { annualize: true })) ?? Number.NaN) * 100, 1)
        : null,
    change20dPercent:
      closes.length > 20 ? money(closes.at(-1)!).div(closes.at(-21)!).minus(1).times(100).toFixed(2) : null,
  };

  const relations = graph.facts
    .filter((f) => ['COMPETES_WITH', 'SUPPLIES', 'CUSTOMER_OF'].includes(f.relation))
    .slice(0, 4)
    .map((f) => f.fact);
  const analysis: Omit<MarketAnalysis, 'text'> = {
    kind: 'market-analysis',
    symbol: sym,
    name: company.name,
    sector: company.sector,
    subIndustry: company.subIndustry,
    quote,
    peers,
    technicals,
    news: news.results
      .slice(0, 3)
      .map((a) => ({ title: a.title, publishedAt: a.publishedAt, snippet: a.snippet })),
    relations,
  };
  return { ...analysis, text: describeMarket(analysis) };
}

function describeMarket(a: Omit<MarketAnalysis, 'text'>): string {
  const q = a.quote;
  const lines: string[] = [];
  if (q.changePercent !== null && q.change !== null) {
    const up = !money(q.change).isNegative();
    lines.push(
      q.live
        ? `${a.name} (${a.symbol}) is ${up ? 'up' : 'down'} ${money(q.changePercent).abs().toFixed(2)}% today (${up ? '+' : '-'}${formatUsd(money(q.change).abs())}) at ${formatUsd(q.price)}, live.`
        : `${a.name} (${a.symbol}) ${up ? 'rose' : 'fell'} ${money(q.changePercent).abs().toFixed(2)}% (${up ? '+' : '-'}${formatUsd(money(q.change).abs())}) to ${formatUsd(q.price)} on ${q.asOf}.`,
    );
  } else {
    lines.push(`${a.name} (${a.symbol}) last traded at ${formatUsd(q.price)} on ${q.asOf}.`);
  }
  if (a.peers && q.changePercent !== null) {
    const own = Number(q.changePercent);
    const peer = Number(a.peers.averageChangePercent);
    const gap = own - peer;
    const verdict =
      Math.abs(gap) < 0.75
        ? 'so the move was mostly the group moving together (sector or market news), not something specific to it'
        : `so about ${Math.abs(gap).toFixed(1)} points of it were specific to ${a.symbol}`;
    lines.push(
      `Its ${a.subIndustry.toLowerCase()} peers moved ${peer >= 0 ? '+' : ''}${a.peers.averageChangePercent}% on average (${a.peers.count} companies), ${verdict}.`,
    );
  }
  const t = a.technicals;
  const tech: string[] = [];
  if (t.change20dPercent)
    tech.push(`${Number(t.change20dPercent) >= 0 ? '+' : ''}${t.change20dPercent}% over 20 sessions`);
  if (t.rsi14) {
    const r = Number(t.rsi14);
    tech.push(`RSI(14) ${t.rsi14}${r >= 70 ? ' (overbought)' : r <= 30 ? ' (oversold)' : ''}`);
  }
  if (t.sma50)
    tech.push(
      `${Number(q.price) >= Number(t.sma50) ? 'above' : 'below'} its 50-day average of ${formatUsd(t.sma50)}`,
    );
  if (tech.length > 0) lines.push(`Technically: ${tech.join('; ')}.`);
  if (a.news.length > 0) {
    const n = a.news[0]!;
    lines.push(`Latest news (${n.publishedAt.slice(0, 10)}): "${n.title}".`);
  } else {
    lines.push('I found no news about it in the library.');
  }
  if (a.relations.length > 0) lines.push(`Related: ${a.relations.slice(0, 2).join(' ')}`);
  return lines.join(' ');
}
