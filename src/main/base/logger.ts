import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { LogContext, type LogContextFields } from './log-context.js';
import { isTerminal, prettyDestination } from './pretty.js';

export type { Logger };
export { LogContext, type LogContextFields };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** `json`: one JSON object per line (for machines); `pretty`: readable lines (for a terminal). */
export type LogFormat = 'json' | 'pretty';

export interface LoggingOptions {
  level?: LogLevel | LevelWithSilent;
  /** Default: `pretty` when the destination is a terminal, else `json`. */
  format?: LogFormat;
  /** Where lines go (default: standard error). */
  destination?: NodeJS.WritableStream | DestinationStream;
}

/** Explicit bindings of each real pino logger we derived; those keys win over the log context. */
const boundKeys = new WeakMap<object, ReadonlySet<string>>();

/**
 * pino calls this for every line it writes (never for a disabled level): the
 * fields of the LogContext in force, minus any the logger was bound with
 * explicitly (a session's own logger knows best whose line it is).
 */
function contextMixin(_merge: object, _level: number, logger: unknown): object {
  const ctx = LogContext.current();
  if (ctx === undefined) return {};
  const bound = boundKeys.get(logger as object);
  const out: Record<string, unknown> = {};
  for (const k in ctx) if (bound === undefined || !bound.has(k)) out[k] = ctx[k];
  return out;
}

function createRoot(opts: LoggingOptions): Logger {
  const level = (opts.level ?? process.env['TRAYVNC_LOG_LEVEL'] ?? 'info').toLowerCase() as LevelWithSilent;
  const target = opts.destination ?? process.stderr;
  const envFormat = process.env['TRAYVNC_LOG_FORMAT'];
  const format: LogFormat =
    opts.format ?? (envFormat === 'json' || envFormat === 'pretty' ? envFormat : isTerminal(target) ? 'pretty' : 'json');
  let stream: DestinationStream;
  if (format === 'pretty') stream = prettyDestination(target as { write(s: string): unknown });
  else if (opts.destination) stream = opts.destination as DestinationStream;
  // Synchronous writes to fd 2, as pino's default: a line is out before a crash.
  else stream = pino.destination({ fd: 2, sync: true });
  return pino({ level, base: { app: 'trayvnc' }, mixin: contextMixin, redact: { paths: SECRET_PATHS, censor: '[hidden]' } }, stream);
}

/**
 * Fields that would hold a password, wherever a settings object is logged
 * whole (at the top, or one level down): hidden, as a second line of
 * defence behind never logging them.
 */
const SECRET_PATHS = ['password', 'view_only_password', 'viewOnlyPassword'].flatMap((k) => [k, `*.${k}`]);

let root: Logger = createRoot({});
/** Bumped by configureLogging; followers re-derive their pino logger when it moved. */
let generation = 0;

/**
 * A Logger that always writes through the current root: it re-derives its
 * pino child after configureLogging() replaced the root, so module-level
 * `const log = getLogger('x')` made before configuration still follows it.
 * (A level set on a follower lasts until the next configureLogging.)
 */
function follower(derive: () => Logger, keys: ReadonlySet<string>): Logger {
  let gen = -1;
  let target: Logger = root;
  const methods = new Map<PropertyKey, { fn: unknown; bound: unknown }>();
  const resolve = (): Logger => {
    if (gen !== generation) {
      target = derive();
      boundKeys.set(target, keys);
      gen = generation;
      methods.clear();
    }
    return target;
  };
  const child = (bindings: Bindings, options?: ChildLoggerOptions): Logger =>
    follower(() => resolve().child(bindings, options), new Set([...keys, ...Object.keys(bindings)]));
  return new Proxy({} as Logger, {
    get(_t, prop) {
      if (prop === 'child') return child;
      const t = resolve();
      const v: unknown = Reflect.get(t, prop, t);
      if (typeof v !== 'function') return v;
      // pino swaps level methods when the level changes: cache per function, not per name.
      const hit = methods.get(prop);
      if (hit && hit.fn === v) return hit.bound;
      const bound = (v as (...a: unknown[]) => unknown).bind(t);
      methods.set(prop, { fn: v, bound });
      return bound;
    },
    set(_t, prop, value) {
      return Reflect.set(resolve(), prop, value);
    },
    has(_t, prop) {
      return Reflect.has(resolve(), prop);
    },
  });
}

const modules = new Map<string, Logger>();

/**
 * Replace the root logger: level, format and destination (the CLI calls this
 * once at start). Loggers from getLogger(), made before or after, follow it.
 */
export function configureLogging(opts: LoggingOptions = {}): Logger {
  root = createRoot(opts);
  generation++;
  return root;
}

/** A named child logger for one module (the name appears as `module` on every line). */
export function getLogger(module: string): Logger {
  let log = modules.get(module);
  if (!log) {
    log = follower(() => root.child({ module }), new Set(['module']));
    modules.set(module, log);
  }
  return log;
}
