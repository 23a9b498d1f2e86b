import { type Company, loadUniverse } from '@stockpulse/domain';

/**
 * Entity recognition for the deterministic grammar: tickers and company names from the universe
 * (S&P 500), and the themes a person asks about ("chips", "banks", a GICS sector).
 */

// Words that are also tickers; they count only when written as $A or in a slot that expects a symbol.
const AMBIGUOUS = new Set([
  'A',
  'I',
  'IT',
  'ALL',
  'ON',
  'SO',
  'ARE',
  'BE',
  'CAN',
  'DO',
  'NOW',
  'SEE',
  'KEY',
  'COST',
]);

const NAME_SUFFIX =
  /\b(inc|incorporated|corp|corporation|company|co|plc|ltd|limited|holdings|group|the|class [abc]|\(class [abc]\))\b/g;

// Everyday names that differ from the listing name.
const ALIASES: Record<string, string> = {
  google: 'GOOGL',
  alphabet: 'GOOGL',
  facebook: 'META',
  meta: 'META',
  nvidia: 'NVDA',
  amazon: 'AMZN',
  'berkshire hathaway': 'BRK.B',
  berkshire: 'BRK.B',
  'jp morgan': 'JPM',
  jpmorgan: 'JPM',
  'coca cola': 'KO',
  coke: 'KO',
  'exxon mobil': 'XOM',
  exxon: 'XOM',
  'johnson and johnson': 'JNJ',
  disney: 'DIS',
  amd: 'AMD',
  intel: 'INTC',
  walmart: 'WMT',
  'home depot': 'HD',
};

interface NameIndex {
  symbols: Map<string, Company>;
  names: Array<[string, string]>;
}
let index: NameIndex | undefined;

function nameIndex(): NameIndex {
  if (index) return index;
  const universe = loadUniverse();
  const symbols = new Map(universe.map((c) => [c.symbol, c]));
  const names = new Map<string, string>();
  for (const c of universe) {
    const name = simplify(c.name.toLowerCase().replace(NAME_SUFFIX, ' '));
    if (name.length >= 3 && !names.has(name)) names.set(name, c.symbol);
  }
  for (const [alias, symbol] of Object.entries(ALIASES)) names.set(alias, symbol);
  // Longest names first, so "american express" wins over "american".
  index = { symbols, names: [...names].sort((a, b) => b[0].length - a[0].length) };
  return index;
}

const simplify = (s: string) =>
  s
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[’'`]s\b/g, '')
    .replace(/[^a-z0-9. ]+/g, ' ')
    .replace(/\.(?![a-z])/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** A symbol written in a slot that expects one ("buy 10 aapl"): any case, `$` optional. */
export function symbolInSlot(word: string): string | undefined {
  const s = word.replace(/^\$/, '').toUpperCase();
  return nameIndex().symbols.has(s) ? s : companySymbol(word);
}

/** The company a name refers to ("Apple", "nvidia", "JP Morgan"), if any. */
export function companySymbol(text: string): string | undefined {
  const t = ` ${simplify(text)} `;
  for (const [name, symbol] of nameIndex().names) {
    if (t.includes(` ${name} `)) return symbol;
  }
  return undefined;
}

/**
 * Tickers and company names mentioned anywhere in free text, in order of appearance. Upper-case
 * tickers count as written ("NVDA"); ambiguous ones ("A", "IT") only with a `$`.
 */
export function findSymbols(text: string): string[] {
  const found: Array<[number, string]> = [];
  const { symbols } = nameIndex();
  for (const m of text.matchAll(/(\$?)\b([A-Za-z]{1,5}(?:\.[A-Za-z])?)\b/g)) {
    const [, dollar, word] = m;
    const upper = word!.toUpperCase();
    if (!symbols.has(upper)) continue;
    if (!dollar && (word !== upper || AMBIGUOUS.has(upper))) continue;
    found.push([m.index!, upper]);
  }
  const lowered = ` ${simplify(text)} `;
  for (const [name, symbol] of nameIndex().names) {
    const at = lowered.indexOf(` ${name} `);
    if (at >= 0) found.push([at, symbol]);
  }
  return [...new Set(found.sort((a, b) => a[0] - b[0]).map(([, s]) => s))];
}

/** A theme of exposure: a label and the rule that says which companies belong to it. */
export interface Theme {
  label: string;
  sector?: string;
  subIndustryIncludes?: string[];
  symbol?: string;
}

const THEMES: Array<{ words: RegExp; theme: Theme }> = [
  {
    words: /\b(chips?|semis?|semiconductors?|chipmakers?)\b/,
    theme: { label: 'semiconductors', subIndustryIncludes: ['Semiconductor'] },
  },
  { words: /\bsoftware\b/, theme: { label: 'software', subIndustryIncludes: ['Software'] } },
  { words: /\bbanks?|banking\b/, theme: { label: 'banks', subIndustryIncludes: ['Banks'] } },
  {
    words: /\b(pharma|pharmaceuticals?|drugmakers?)\b/,
    theme: { label: 'pharmaceuticals', subIndustryIncludes: ['Pharmaceuticals'] },
  },
  { words: /\b(oil|gas|energy)\b/, theme: { label: 'energy', sector: 'Energy' } },
  {
    words: /\b(tech|technology)\b/,
    theme: { label: 'information technology', sector: 'Information Technology' },
  },
  { words: /\b(health ?care|healthcare|medical)\b/, theme: { label: 'health care', sector: 'Health Care' } },
  { words: /\b(financials?|finance)\b/, theme: { label: 'financials', sector: 'Financials' } },
  { words: /\butilities\b/, theme: { label: 'utilities', sector: 'Utilities' } },
  { words: /\breal estate|reits?\b/, theme: { label: 'real estate', sector: 'Real Estate' } },
  { words: /\bindustrials?\b/, theme: { label: 'industrials', sector: 'Industrials' } },
  { words: /\bmaterials\b/, theme: { label: 'materials', sector: 'Materials' } },
  {
    words: /\b(consumer staples|staples)\b/,
    theme: { label: 'consumer staples', sector: 'Consumer Staples' },
  },
  {
    words: /\b(consumer discretionary|discretionary|retail)\b/,
    theme: { label: 'consumer discretionary', sector: 'Consumer Discretionary' },
  },
  {
    words: /\b(communication services|telecoms?|media)\b/,
    theme: { label: 'communication services', sector: 'Communication Services' },
  },
];

/** The theme a risk question is about ("how exposed am I to chips?"), or a single company. */
export function findTheme(text: string): Theme | undefined {
  const t = simplify(text);
  for (const { words, theme } of THEMES) if (words.test(t)) return theme;
  const symbol = findSymbols(text)[0];
  return symbol ? { label: symbol, symbol } : undefined;
}
