/**
 * How the supervisor shows its children's output: one line per event, prefixed with the service
 * name. pino JSON lines become `12:04:05 INFO  message key=value …` (a few useful fields, not the
 * whole object); `--json` keeps every line as NDJSON instead.
 */

export type LogFormat = 'pretty' | 'json';
export type LogStream = 'stdout' | 'stderr';

const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: 'TRACE', color: '90' },
  20: { label: 'DEBUG', color: '90' },
  30: { label: 'INFO ', color: '32' },
  40: { label: 'WARN ', color: '33' },
  50: { label: 'ERROR', color: '31' },
  60: { label: 'FATAL', color: '35' },
};
const LEVEL_NUMBERS: Record<string, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
const PREFIX_COLORS = ['36', '35', '34', '33', '32', '96', '95', '94', '93', '92'];

/** pino's bookkeeping fields, and ones the prefix or the message already say. */
const HIDDEN = new Set(['level', 'time', 'hostname', 'name', 'service', 'msg', 'spanId', 'v']);
const MAX_FIELDS = 6;
const MAX_VALUE = 80;

export const paint = (color: boolean, code: string, text: string): string =>
  color ? `\u001b[${code}m${text}\u001b[0m` : text;

export function prefixColor(index: number): string {
  return PREFIX_COLORS[index % PREFIX_COLORS.length]!;
}

export interface RenderOptions {
  service: string;
  /** Width the `[name]` prefix is padded to, so messages line up. */
  width: number;
  color: boolean;
  /** ANSI colour code of this service's prefix. */
  prefixColor: string;
  stream: LogStream;
}

/** Render one raw output line of a child for people. May return several lines (an error's stack). */
export function renderPretty(raw: string, o: RenderOptions, record = parseJsonRecord(raw)): string {
  const prefix = paint(o.color, o.prefixColor, `[${o.service}]`.padEnd(o.width + 2));
  if (!record) {
    const text = o.stream === 'stderr' ? paint(o.color, '31', raw) : raw;
    return `${prefix} ${text}`;
  }
  return `${prefix} ${renderRecord(record, o.color).join(`\n${prefix}   `)}`;
}

/** Render one raw line for `--json`: pino lines pass through untouched, anything else is wrapped. */
export function renderJson(
  raw: string,
  service: string,
  stream: LogStream,
  record = parseJsonRecord(raw),
): string {
  if (record) return raw;
  return JSON.stringify({
    level: stream === 'stderr' ? 50 : 30,
    time: new Date().toISOString(),
    service,
    stream,
    msg: raw,
  });
}

export function parseJsonRecord(raw: string): Record<string, unknown> | undefined {
  if (!raw.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export function levelNumber(level: unknown): number {
  if (typeof level === 'number') return level;
  if (typeof level === 'string') return LEVEL_NUMBERS[level] ?? 30;
  return 30;
}

function renderRecord(rec: Record<string, unknown>, color: boolean): string[] {
  const level = levelNumber(rec.level);
  const meta = LEVELS[level] ?? { label: String(rec.level).toUpperCase().padEnd(5), color: '37' };
  const time = paint(color, '90', clock(rec.time));
  const msg = typeof rec.msg === 'string' ? rec.msg : '';

  const fields: string[] = [];
  let stack: string[] = [];
  let hidden = 0;
  for (const [key, value] of Object.entries(rec)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if (key === 'err' || key === 'error') {
      const err = describeError(value);
      fields.push(`${key}=${quote(err.message)}`);
      if (level >= 50) stack = err.stack;
      continue;
    }
    if (fields.length >= MAX_FIELDS) {
      hidden += 1;
      continue;
    }
    const shown = key === 'traceId' && typeof value === 'string' ? value.slice(0, 8) : value;
    fields.push(`${key === 'traceId' ? 'trace' : key}=${formatValue(shown)}`);
  }
  if (hidden) fields.push(`+${hidden} more`);
  const head = [time, paint(color, meta.color, meta.label), msg, paint(color, '90', fields.join(' '))]
    .filter((part) => part !== '')
    .join(' ');
  return [head, ...stack.map((l) => paint(color, '90', l))];
}

function clock(time: unknown): string {
  const d = typeof time === 'number' || typeof time === 'string' ? new Date(time) : new Date(Number.NaN);
  const valid = Number.isNaN(d.getTime()) ? new Date() : d;
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(valid.getHours())}:${pad(valid.getMinutes())}:${pad(valid.getSeconds())}.${pad(valid.getMilliseconds(), 3)}`;
}

function describeError(value: unknown): { message: string; stack: string[] } {
  if (value && typeof value === 'object') {
    const e = value as { message?: unknown; type?: unknown; code?: unknown; stack?: unknown };
    const message = [e.type, e.code, e.message].filter((p) => typeof p === 'string' && p).join(': ');
    const stack =
      typeof e.stack === 'string'
        ? e.stack
            .split('\n')
            .slice(1)
            .map((l) => l.trim())
            .filter(Boolean)
            .slice(0, 8)
        : [];
    return { message: message || JSON.stringify(value), stack };
  }
  return { message: String(value), stack: [] };
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return truncate(JSON.stringify(value) ?? String(value));
}

function quote(s: string): string {
  const t = truncate(s);
  return /[\s"=]/.test(t) || t === '' ? JSON.stringify(t) : t;
}

function truncate(s: string): string {
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}
