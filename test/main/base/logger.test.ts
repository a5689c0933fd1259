import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { configureLogging, getLogger, LogContext } from '../../../src/main/base/logger.js';
import { formatPretty } from '../../../src/main/base/pretty.js';

/** A destination that keeps what pino writes. */
class Capture extends Writable {
  text = '';
  isTTY?: boolean;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  lines(): string[] {
    return this.text.split('\n').filter((l) => l !== '');
  }
  json(): Array<Record<string, unknown>> {
    return this.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

afterEach(() => {
  configureLogging({ level: 'silent' });
});

describe('logging', () => {
  it('writes one JSON object per line when not on a terminal, at the configured level', () => {
    const out = new Capture();
    configureLogging({ level: 'info', destination: out });
    const log = getLogger('test-json');
    log.debug('not shown');
    log.info({ port: 5900 }, 'listening');
    log.warn({ err: new Error('boom') }, 'something failed');
    const lines = out.json();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, app: 'trayvnc', module: 'test-json', port: 5900, msg: 'listening' });
    expect(typeof lines[0]!['time']).toBe('number');
    expect(lines[1]).toMatchObject({ level: 40, msg: 'something failed', err: { message: 'boom', type: 'Error' } });
  });

  it('hides password fields of an object logged whole', () => {
    const out = new Capture();
    configureLogging({ level: 'info', destination: out });
    getLogger('test-secret').info({ password: 'hunter22', settings: { view_only_password: 'justlook', port: 1 }, options: { viewOnlyPassword: 'justlook' } }, 'x');
    expect(out.text).not.toContain('hunter22');
    expect(out.text).not.toContain('justlook');
    expect(out.json()[0]).toMatchObject({ password: '[hidden]', settings: { view_only_password: '[hidden]', port: 1 } });
  });

  it('lines logged inside LogContext.run carry the session and client, through timers and promises', async () => {
    const out = new Capture();
    configureLogging({ level: 'debug', format: 'json', destination: out });
    const log = getLogger('test-ctx');
    log.info('before');
    await LogContext.run({ session: '1a2b3c4d', client: '10.0.0.7:51234' }, async () => {
      log.info('inside');
      await new Promise((r) => setTimeout(r, 5));
      getLogger('other-module').debug({ n: 1 }, 'after a timer');
      expect(LogContext.current()).toEqual({ session: '1a2b3c4d', client: '10.0.0.7:51234' });
      LogContext.run({ step: 'nested' }, () => log.info('nested'));
    });
    log.info('after');
    const lines = out.json();
    expect(lines.map((l) => [l['msg'], l['session'], l['client']])).toEqual([
      ['before', undefined, undefined],
      ['inside', '1a2b3c4d', '10.0.0.7:51234'],
      ['after a timer', '1a2b3c4d', '10.0.0.7:51234'],
      ['nested', '1a2b3c4d', '10.0.0.7:51234'],
      ['after', undefined, undefined],
    ]);
    expect(lines[2]).toMatchObject({ module: 'other-module', n: 1 });
    expect(lines[3]).toMatchObject({ step: 'nested' });
    expect(LogContext.current()).toBeUndefined();
  });

  it('LogContext.bind wraps event handlers', () => {
    const out = new Capture();
    configureLogging({ level: 'info', format: 'json', destination: out });
    const log = getLogger('test-bind');
    const handler = LogContext.bind({ session: 'abcd0123', client: '127.0.0.1:4000' }, (n: number) => {
      log.info({ n }, 'data');
      return n + 1;
    });
    expect(handler(1)).toBe(2);
    expect(out.json()[0]).toMatchObject({ session: 'abcd0123', client: '127.0.0.1:4000', n: 1 });
  });

  it('a logger bound to a session keeps its own session inside another session’s context', () => {
    const out = new Capture();
    configureLogging({ level: 'info', format: 'json', destination: out });
    const mine = getLogger('session').child({ session: 'bbbbbbbb', client: '10.0.0.2:2' });
    LogContext.run({ session: 'aaaaaaaa', client: '10.0.0.1:1' }, () => mine.info('closing the other one'));
    const [line] = out.lines();
    expect(JSON.parse(line!)).toMatchObject({ session: 'bbbbbbbb', client: '10.0.0.2:2' });
    expect(line!.match(/"session":/g)).toHaveLength(1); // no duplicate keys
  });

  it('loggers made before configureLogging follow later configuration', () => {
    const early = getLogger('early');
    const earlyChild = early.child({ part: 'x' });
    const first = new Capture();
    configureLogging({ level: 'warn', format: 'json', destination: first });
    early.info('dropped');
    early.warn('to first');
    const second = new Capture();
    configureLogging({ level: 'debug', format: 'json', destination: second });
    early.debug('to second');
    earlyChild.debug('child to second');
    expect(first.json().map((l) => l['msg'])).toEqual(['to first']);
    expect(second.json().map((l) => [l['msg'], l['module'], l['part']])).toEqual([
      ['to second', 'early', undefined],
      ['child to second', 'early', 'x'],
    ]);
    expect(early.isLevelEnabled('debug')).toBe(true);
    expect(early.level).toBe('debug');
    expect(getLogger('early')).toBe(early);
  });

  it('writes readable lines in pretty format, and picks pretty for a terminal', () => {
    const tty = new Capture();
    tty.isTTY = true;
    const prev = process.env['NO_COLOR'];
    process.env['NO_COLOR'] = '1';
    try {
      configureLogging({ level: 'info', destination: tty });
      LogContext.run({ session: '1a2b3c4d', client: '10.0.0.7:51234' }, () =>
        getLogger('session').info({ version: '3.8', shared: true, name: 'two words' }, 'client connected'),
      );
      getLogger('capture').error({ err: new Error('grab failed') }, 'capture failed');
    } finally {
      if (prev === undefined) delete process.env['NO_COLOR'];
      else process.env['NO_COLOR'] = prev;
    }
    const lines = tty.lines();
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO  session \[1a2b3c4d 10\.0\.0\.7:51234\] client connected version=3\.8 shared=true name="two words"$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} ERROR capture capture failed$/);
    expect(lines[2]).toMatch(/^ {4}Error: grab failed$/);
    expect(lines[3]).toMatch(/^ {8}at /);
  });

  it('formats with colour on request and passes through text that is not JSON', () => {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2024, 0, 1), module: 'x', msg: 'careful' });
    expect(formatPretty(line, true)).toContain('\x1b[33mWARN ');
    expect(formatPretty('plain text')).toBe('plain text\n');
  });
});
