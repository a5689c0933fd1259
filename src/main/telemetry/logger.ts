import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

let root: Logger = pino({ level: process.env['TRAYVNC_LOG_LEVEL'] ?? 'info', base: { app: 'trayvnc' } });

/** Replace the root logger's level and destination (the CLI calls this once at start). */
export function configureLogging(opts: { level: LogLevel; destination?: NodeJS.WritableStream }): Logger {
  root = pino(
    { level: opts.level as LevelWithSilent, base: { app: 'trayvnc' } },
    opts.destination ?? pino.destination(2),
  );
  return root;
}

/** A named child logger for one module (the name appears as `module` on every line). */
export function getLogger(module: string): Logger {
  return root.child({ module });
}
