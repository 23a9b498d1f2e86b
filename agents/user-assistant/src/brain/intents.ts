import { findSymbols, findTheme, symbolInSlot, type Theme } from './entities.js';

/**
 * The deterministic brain's grammar: which requests StockPulse understands without an LLM.
 * Each intent lists the phrasings it accepts (documented in agents/user-assistant/README.md);
 * anything else is `unsupported`, answered honestly with what the assistant can do.
 */
export interface OrderIntent {
  side: 'buy' | 'sell';
  symbol: string;
  quantity?: string;
  notional?: string;
  type: 'market' | 'limit' | 'stop';
  limitPrice?: string;
  stopPrice?: string;
  timeInForce: 'day' | 'gtc';
}

export type Intent =
  | { kind: 'portfolio_value' }
  | { kind: 'holdings' }
  | { kind: 'risk'; theme?: Theme }
  | { kind: 'market'; symbol: string }
  | { kind: 'rebalance' }
  | { kind: 'trade'; order: OrderIntent }
  | { kind: 'orders' }
  | {
      kind: 'create_alert';
      alert: { symbol: string; kind: 'price_above' | 'price_below' | 'change_pct'; threshold: string };
    }
  | { kind: 'alerts' }
  | { kind: 'backtest'; strategy: { name: string; params: Record<string, unknown> }; symbols: string[] }
  | { kind: 'backtests' }
  | { kind: 'confirm' }
  | { kind: 'reject' }
  | { kind: 'greeting' }
  | { kind: 'help' }
  | { kind: 'unknown_symbol'; name: string }
  | { kind: 'unsupported'; text: string };

const normalize = (text: string) =>
  text
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^a-z0-9'$.,% ]+/g, ' ')
    .replace(/[.,](?![\da-z])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

type Simple = Exclude<
  Intent['kind'],
  'risk' | 'market' | 'trade' | 'create_alert' | 'backtest' | 'unknown_symbol' | 'unsupported'
>;

const SIMPLE: Array<{ intent: Simple; patterns: RegExp[] }> = [
  {
    intent: 'confirm',
    patterns: [
      /^(yes|yep|yeah|y|ok|okay|sure|confirm(ed)?|go ahead|do it|place it|execute( it)?)( please)?$/,
    ],
  },
  {
    intent: 'reject',
    patterns: [/^(no|nope|n|cancel( it| that)?|don't|do not|never ?mind|stop|abort)( please)?$/],
  },
  {
    intent: 'orders',
    patterns: [
      /\b(my|open|pending|recent|show|list) (open )?(orders|trades)\b/,
      /^(orders|trades)$/,
      /\bwhat (orders|trades) (do i have|have i (made|placed))\b/,
    ],
  },
  { intent: 'backtests', patterns: [/\b(my|show|list|saved) backtests\b/, /^backtests$/] },
  {
    intent: 'alerts',
    patterns: [/\b(my|show|list|active|open) (price )?alerts\b/, /^alerts$/, /\bwhat alerts\b/],
  },
  {
    intent: 'rebalance',
    patterns: [/\brebalanc(e|ing)\b/, /\b(equal ?weight|equally weighted)\b.*\b(portfolio|holdings)\b/],
  },
  {
    intent: 'portfolio_value',
    patterns: [
      /\b(portfolio|account|holdings|investments?|stocks|positions)\b.*\b(worth|value|valued|total|balance)\b/,
      /\b(worth|value|valuation|total|balance)\b.*\b(portfolio|account|holdings|investments?)\b/,
      /\bhow much (money )?(do i have|am i worth|is my|have i got)\b/,
      /\b(net worth|my balance|account balance)\b/,
      /\bhow (is|are) my (portfolio|account|investments?) doing\b/,
    ],
  },
  {
    intent: 'holdings',
    patterns: [
      /\b(what|which) (stocks|shares|positions|holdings) do i (own|have|hold)\b/,
      /\bwhat do i (own|hold)\b/,
      /\b(show|list|see) (me )?(my )?(holdings|positions|stocks|portfolio)\b/,
      /^(my )?(holdings|positions|portfolio)$/,
    ],
  },
  { intent: 'help', patterns: [/\b(help|what can you do|how does this work|what do you do)\b/] },
  {
    intent: 'greeting',
    patterns: [/^(hi|hello|hey|good (morning|afternoon|evening)|yo)( there)?( stockpulse)?$/],
  },
];

const RISK = [
  /\b(exposed|exposure|exposures)\b/,
  /\bhow (risky|volatile|safe|diversified)\b/,
  /\b(risk|riskiness|volatility|value at risk|var|drawdown|concentration|concentrated|diversification|diversified)\b.*\b(portfolio|my|i)\b/,
  /\bmy (portfolio'?s? )?(risk|volatility|drawdown|concentration)\b/,
  /\bam i (too )?(concentrated|diversified)\b/,
  /\bmy\b.*\b(risk|risks|concentration|exposure)\b/,
];

const MARKET = [
  /\bwhy (did|is|has|was) (.+?) (move|moving|moved|up|down|fall|falling|fell|drop|dropping|dropped|rise|rising|rose|jump|jumped|rally|rallied|slide|slid|sink|sank|tank|tanked|crash|crashed)\b/,
  /\bwhat'?s? (happening|going on) (with|to|at) (.+)/,
  /\bhow (is|are|'s) (.+?) doing\b/,
  /\b(price|quote|outlook|news|analysis|technicals?) (of|for|on) (.+)/,
  /\b(analy[sz]e|tell me about|look at) (.+)/,
];

// "buy 10 AAPL", "sell 5 shares of msft at 400", "buy $5,000 of NVDA", "sell 10 TSLA stop 200 gtc"
const TRADE =
  /^(?:please )?(buy|sell)\s+(?:(\$\s?[\d,]+(?:\.\d+)?|[\d,]+(?:\.\d+)?\s?(?:dollars|usd))\s+(?:of|in|worth of)\s+|([\d,]+(?:\.\d+)?)\s+(?:shares?\s+(?:of\s+)?)?)(\$?[a-z][a-z.]{0,5}|[a-z][a-z .&-]{1,40}?)(?:\s+(?:shares?|stock))?(?:\s+at\s+(?:the\s+)?market(?:\s+price)?)?(?:\s+(?:at|@|limit(?: at)?|for)\s+\$?([\d,]+(?:\.\d+)?)(?: limit)?)?(?:\s+stop(?: at)?\s+\$?([\d,]+(?:\.\d+)?))?(?:\s+(?:good (?:till|til|until) (?:cancell?ed)|gtc|for today|day))?(?:\s+please)?$/;

// "alert me when AAPL goes above 230", "notify me if nvidia drops below $100", "alert me if TSLA moves 5%"
const ALERT =
  /^(?:please )?(?:alert|notify|tell|ping|warn) me (?:when|if) (.+?) (?:goes |gets |trades |rises |climbs |is |moves |falls |drops |sinks )?(above|over|higher than|below|under|lower than|up|down|moves|falls|drops|rises|jumps)(?: by| more than)? \$?([\d,]+(?:\.\d+)?)( ?%| percent)?$/;

function recognizeAlert(t: string): Intent | undefined {
  const m = ALERT.exec(t);
  if (!m) return undefined;
  const [, name, direction, value, percent] = m;
  const symbol = symbolInSlot(name!.trim());
  if (!symbol) return { kind: 'unknown_symbol', name: name!.trim().toUpperCase() };
  const threshold = amount(value!);
  const down = /below|under|lower|down|falls|drops/.test(direction!);
  if (
    percent ||
    direction === 'moves' ||
    direction === 'up' ||
    direction === 'down' ||
    direction === 'jumps'
  ) {
    return {
      kind: 'create_alert',
      alert: { symbol, kind: 'change_pct', threshold: down ? `-${threshold}` : threshold },
    };
  }
  return { kind: 'create_alert', alert: { symbol, kind: down ? 'price_below' : 'price_above', threshold } };
}

const amount = (s: string) => s.replace(/[$,\s]|dollars|usd/g, '');

function recognizeTrade(t: string): Intent | undefined {
  const m = TRADE.exec(t);
  if (!m) return undefined;
  const [, side, notional, quantity, name, limit, stop] = m;
  const symbol = symbolInSlot(name!.trim());
  if (!symbol) return { kind: 'unknown_symbol', name: name!.trim().replace(/^\$/, '').toUpperCase() };
  const order: OrderIntent = {
    side: side as 'buy' | 'sell',
    symbol,
    type: stop ? 'stop' : limit ? 'limit' : 'market',
    timeInForce: /\b(gtc|good (till|til|until) cancell?ed)\b/.test(t) ? 'gtc' : 'day',
  };
  if (notional) order.notional = amount(notional);
  if (quantity) order.quantity = amount(quantity);
  if (limit) order.limitPrice = amount(limit);
  if (stop) order.stopPrice = amount(stop);
  return { kind: 'trade', order };
}

const BACKTEST =
  /^(?:please )?(?:run a |run )?backtest (?:(?:a|an|the) )?(.+?) (?:strategy )?(?:on|for|with|over) (.+)$/;

function recognizeBacktest(t: string, text: string): Intent | undefined {
  const m = BACKTEST.exec(t);
  if (!m) return undefined;
  const [, strategyWords, rest] = m;
  const symbols = findSymbols(text.slice(text.toLowerCase().indexOf(rest!.split(' ')[0]!)));
  const fromSlots = rest!.split(/[ ,]+|\band\b/).flatMap((w) => {
    const s = w.length >= 1 && w !== 'and' ? symbolInSlot(w) : undefined;
    return s ? [s] : [];
  });
  const all = [...new Set([...symbols, ...fromSlots])];
  if (all.length === 0) return undefined;
  const w = strategyWords!;
  const strategy = /\brsi|mean reversion/.test(w)
    ? { name: 'rsi_mean_reversion', params: {} }
    : /\bmomentum|rotation/.test(w)
      ? { name: 'momentum_rotation', params: { topN: Math.max(1, Math.floor(all.length / 2)) } }
      : /\b(moving average|ma|sma|crossover|cross)\b/.test(w)
        ? { name: 'ma_crossover', params: {} }
        : undefined;
  if (!strategy) return undefined;
  return { kind: 'backtest', strategy, symbols: all.slice(0, 20) };
}

export function recognize(text: string): Intent {
  const t = normalize(text);
  const trade = recognizeTrade(t) ?? recognizeAlert(t) ?? recognizeBacktest(t, text);
  if (trade) return trade;
  for (const rule of SIMPLE) {
    if (rule.patterns.some((p) => p.test(t))) return { kind: rule.intent };
  }
  if (RISK.some((p) => p.test(t))) {
    const theme = findTheme(text);
    return theme ? { kind: 'risk', theme } : { kind: 'risk' };
  }
  if (MARKET.some((p) => p.test(t))) {
    const symbol = findSymbols(text)[0];
    if (symbol) return { kind: 'market', symbol };
  }
  // A bare ticker or company name ("NVDA?", "apple") asks how it is doing.
  const symbols = findSymbols(text);
  if (symbols.length === 1 && text.trim().replace(/[?$!. ]/g, '').length <= 24) {
    return { kind: 'market', symbol: symbols[0]! };
  }
  return { kind: 'unsupported', text };
}
