/**
 * The deterministic brain's grammar: which requests StockPulse understands without an LLM.
 * Each intent lists the phrasings it accepts (documented in agents/user-assistant/README.md);
 * anything else is `unsupported`, answered honestly with what the assistant can do.
 */
export type Intent =
  | { kind: 'portfolio_value' }
  | { kind: 'holdings' }
  | { kind: 'greeting' }
  | { kind: 'help' }
  | { kind: 'unsupported'; text: string };

const normalize = (text: string) =>
  text
    .toLowerCase()
    .replace(/[’']/g, "'")
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

const RULES: Array<{ intent: Intent['kind']; patterns: RegExp[] }> = [
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

export function recognize(text: string): Intent {
  const t = normalize(text);
  for (const rule of RULES) {
    if (rule.patterns.some((p) => p.test(t))) return { kind: rule.intent } as Intent;
  }
  return { kind: 'unsupported', text };
}
