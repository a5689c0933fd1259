import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Fields that every log line written while serving one client carries:
 * `session` (the short session id) and `client` (its address), plus anything
 * a caller adds.
 */
export interface LogContextFields {
  session?: string;
  client?: string;
  [key: string]: unknown;
}

const storage = new AsyncLocalStorage<Readonly<LogContextFields>>();

export interface LogContextApi {
  /**
   * Run `fn` (and everything it starts: timers, promises, callbacks) with
   * these fields on every log line. Nested calls add to the outer fields.
   */
  run<T>(ctx: LogContextFields, fn: () => T): T;
  /** The fields in force here, or undefined outside any `run`. */
  current(): Readonly<LogContextFields> | undefined;
  /** `fn` wrapped so that each call runs inside `run(ctx, …)`; for event handlers. */
  bind<A extends unknown[], R>(ctx: LogContextFields, fn: (...args: A) => R): (...args: A) => R;
  /** Run `fn` (and what it starts) outside any context: for shared work a client merely triggered. */
  exit<T>(fn: () => T): T;
}

/** Log context carried through asynchronous work (AsyncLocalStorage). */
export const LogContext: LogContextApi = {
  run<T>(ctx: LogContextFields, fn: () => T): T {
    const outer = storage.getStore();
    return storage.run(Object.freeze(outer ? { ...outer, ...ctx } : { ...ctx }), fn);
  },
  current(): Readonly<LogContextFields> | undefined {
    return storage.getStore();
  },
  bind<A extends unknown[], R>(ctx: LogContextFields, fn: (...args: A) => R): (...args: A) => R {
    const own = Object.freeze({ ...ctx });
    return (...args: A) => {
      const outer = storage.getStore();
      return storage.run(outer ? Object.freeze({ ...outer, ...own }) : own, () => fn(...args));
    };
  },
  exit<T>(fn: () => T): T {
    return storage.exit(fn);
  },
};
