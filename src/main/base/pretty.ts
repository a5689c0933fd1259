import type { DestinationStream } from 'pino';

/** Somewhere to write text: a Node stream or a pino destination. */
export interface TextSink {
  write(text: string): unknown;
}

export interface PrettyOptions {
  /** ANSI colours (default: when the sink is a terminal and NO_COLOR is unset). */
  colour?: boolean;
}

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '\x1b[90m' },
  20: { name: 'DEBUG', colour: '\x1b[36m' },
  30: { name: 'INFO', colour: '\x1b[32m' },
  40: { name: 'WARN', colour: '\x1b[33m' },
  50: { name: 'ERROR', colour: '\x1b[31m' },
  60: { name: 'FATAL', colour: '\x1b[35m' },
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Keys shown in fixed places (or not at all) rather than as key=value. */
const PLACED = new Set(['level', 'time', 'msg', 'app', 'module', 'session', 'client', 'pid', 'hostname', 'err']);

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function clock(ms: number): string {
  const d = new Date(ms);
  const milli = d.getMilliseconds();
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
}

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? String(v);
}

/**
 * One pino JSON line as a readable line:
 * `12:04:05.123 INFO  session [1a2b3c4d 10.0.0.7:51234] client connected version=3.8`,
 * with an error's stack on the lines below. Text that is not a JSON object passes through.
 */
export function formatPretty(line: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return `${line}\n`;
    o = parsed as Record<string, unknown>;
  } catch {
    return `${line}\n`;
  }
  const lv = LEVELS[o['level'] as number] ?? { name: String(o['level'] ?? 'LOG').toUpperCase(), colour: '' };
  const parts: string[] = [];
  const time = typeof o['time'] === 'number' ? clock(o['time']) : '';
  parts.push(colour ? `${DIM}${time}${RESET}` : time);
  parts.push(colour ? `${lv.colour}${lv.name.padEnd(5)}${RESET}` : lv.name.padEnd(5));
  if (o['module'] !== undefined) parts.push(colour ? `\x1b[1m${String(o['module'])}${RESET}` : String(o['module']));
  const who = [o['session'], o['client']].filter((v) => v !== undefined).map(String);
  if (who.length > 0) parts.push(`[${who.join(' ')}]`);
  if (o['msg'] !== undefined) parts.push(String(o['msg']));
  const extras: string[] = [];
  for (const [k, v] of Object.entries(o)) if (!PLACED.has(k)) extras.push(`${k}=${value(v)}`);
  if (extras.length > 0) parts.push(colour ? `${DIM}${extras.join(' ')}${RESET}` : extras.join(' '));
  let out = parts.join(' ');
  const err = o['err'] as { stack?: unknown; message?: unknown } | undefined;
  if (err !== undefined) {
    const text = typeof err === 'object' && err !== null ? String(err.stack ?? err.message ?? JSON.stringify(err)) : String(err);
    out += `\n    ${text.split('\n').join('\n    ')}`;
  }
  return `${out}\n`;
}

/**
 * A pino destination that writes readable lines to `sink` instead of JSON.
 * pino hands a destination one complete line per write, so each is parsed and
 * re-rendered on its own; only meant for a person at a terminal.
 */
export function prettyDestination(sink: TextSink, opts: PrettyOptions = {}): DestinationStream {
  const colour = opts.colour ?? (isTerminal(sink) && !process.env['NO_COLOR']);
  return {
    write(line: string): void {
      sink.write(formatPretty(line.endsWith('\n') ? line.slice(0, -1) : line, colour));
    },
  };
}

/** Whether a sink is a terminal (a TTY stream, or a file descriptor that is one). */
export function isTerminal(sink: unknown): boolean {
  if (typeof sink !== 'object' || sink === null) return false;
  return (sink as { isTTY?: unknown }).isTTY === true;
}
