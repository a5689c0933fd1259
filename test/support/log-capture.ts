import { Writable } from 'node:stream';
import { configureLogging } from '../../src/main/base/logger.js';

/**
 * Send every log line (JSON) at `level` and above into an array, until the
 * next configureLogging (tests put `configureLogging({ level: 'silent' })`
 * in their afterEach).
 */
export function captureLogs(level: 'debug' | 'info' | 'warn' = 'info'): Array<Record<string, unknown>> {
  const lines: Array<Record<string, unknown>> = [];
  configureLogging({
    level,
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        cb();
      },
    }),
  });
  return lines;
}
