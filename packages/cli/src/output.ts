import {
  type LogFormat,
  type LogStream,
  levelNumber,
  paint,
  parseJsonRecord,
  prefixColor,
  renderJson,
  renderPretty,
} from './log-format.js';
import type { EventLevel, SupervisorLog } from './supervisor.js';

/** The supervisor's own name in the output. */
export const SUPERVISOR_NAME = 'stockpulse';

export interface LogLineMeta {
  /** `stockpulse` for the supervisor's own lines. */
  service: string;
  stream: LogStream;
  /** pino level number when the line was JSON (30 = info), else 30 (stdout) or 50 (stderr). */
  level: number;
}

/** Receives every output line, without colour codes (NDJSON in `json` format). */
export type LogSink = (line: string, meta: LogLineMeta) => void;

export interface OutputOptions {
  format?: LogFormat;
  /** Colour for the terminal; default: stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Print nothing to the terminal (the sink still gets every line). */
  quiet?: boolean;
  sink?: LogSink;
  /** Service names, to pad the `[name]` prefixes to one width and give each a colour. */
  names?: string[];
}

/** Prints children's lines and the supervisor's events, `[name]`-prefixed, or as NDJSON. */
export function createOutput(opts: OutputOptions): SupervisorLog {
  const format = opts.format ?? 'pretty';
  const color = opts.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const names = [SUPERVISOR_NAME, 'web', ...(opts.names ?? [])];
  const width = Math.max(...names.map((n) => n.length));
  const colors = new Map<string, string>();
  const colorOf = (name: string) => {
    let c = colors.get(name);
    if (!c) {
      c = name === SUPERVISOR_NAME ? '1' : prefixColor(colors.size);
      colors.set(name, c);
    }
    return c;
  };
  for (const n of names) colorOf(n);

  const emit = (service: string, stream: LogStream, raw: string, toStderr: boolean) => {
    const record = parseJsonRecord(raw);
    const level = record ? levelNumber(record.level) : stream === 'stderr' ? 50 : 30;
    const render = (withColor: boolean) =>
      format === 'json'
        ? renderJson(raw, service, stream, record)
        : renderPretty(
            raw,
            { service, width, color: withColor, prefixColor: colorOf(service), stream },
            record,
          );
    if (!opts.quiet) (toStderr ? process.stderr : process.stdout).write(`${render(color)}\n`);
    opts.sink?.(render(false), { service, stream, level });
  };

  return {
    child: (service, stream, line) => emit(service, stream, line, stream === 'stderr'),
    event: (level: EventLevel, msg: string, fields?: Record<string, unknown>) => {
      const record = {
        level: level === 'info' ? 30 : level === 'warn' ? 40 : 50,
        time: new Date().toISOString(),
        service: SUPERVISOR_NAME,
        msg,
        ...fields,
      };
      emit(SUPERVISOR_NAME, 'stdout', JSON.stringify(record), level !== 'info');
    },
  };
}

/** Print a block of text for people (the ready banner), honouring `quiet` and the sink. */
export function printBlock(lines: string[], opts: Pick<OutputOptions, 'color' | 'quiet'> = {}): void {
  if (opts.quiet) return;
  const color = opts.color ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const rule = paint(color, '90', '─'.repeat(Math.min(100, Math.max(...lines.map((l) => l.length)) + 2)));
  process.stdout.write(
    `\n${rule}\n${lines.map((l, i) => ` ${i === 0 ? paint(color, '1;32', l) : l}`).join('\n')}\n${rule}\n\n`,
  );
}
