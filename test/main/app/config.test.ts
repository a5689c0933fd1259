import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseConfig, resolveHost, resolvePassword, unknownKeys } from '../../../src/main/app/config.js';
import { SETTING_KEYS } from '../../../src/shared/settings-schema.js';

describe('config', () => {
  it("loads PyVNCServer's config.json keys and fills defaults", () => {
    const cfg = parseConfig({
      host: '0.0.0.0',
      port: 5901,
      password: 'secret',
      frame_rate: 15,
      max_connections: 3,
      enable_region_detection: false,
      enable_metrics: true,
      log_level: 'INFO',
    });
    expect(cfg).toMatchObject({ host: '0.0.0.0', port: 5901, frame_rate: 15, max_connections: 3, log_level: 'info' });
    expect(parseConfig({})).toMatchObject({ port: 5900, frame_rate: 60, max_connections: 10, enable_region_detection: true });
  });

  it.each([
    [{ frame_rate: 0 }, 'frame_rate must be a whole number from 1 to 60'],
    [{ frame_rate: 61 }, 'frame_rate must be a whole number from 1 to 60'],
    [{ frame_rate: 2.5 }, 'frame_rate must be a whole number from 1 to 60'],
    [{ port: 70000 }, 'port must be a whole number from 0 to 65535'],
    [{ port: '5900' }, 'port must be a whole number from 0 to 65535'],
    [{ max_connections: 0 }, 'max_connections must be a whole number from 1 to 1000'],
    [{ log_level: 'loud' }, 'log_level must be one of debug, info, warn, error'],
    [{ enable_metrics: 'yes' }, 'enable_metrics must be true or false'],
    [{ password: '' }, 'password must not be empty'],
    [{ display: 'nine' }, 'display must look like :0 or host:0'],
  ])('refuses %j naming the field', (raw, message) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    try {
      parseConfig(raw);
    } catch (e) {
      expect((e as ConfigError).problems.join('\n')).toContain(message);
    }
  });

  it('names every field by its key, in its own words for a value of the wrong type', () => {
    for (const key of SETTING_KEYS) {
      const problems = (() => {
        try {
          parseConfig({ [key]: { not: 'a value' } });
          return [];
        } catch (e) {
          return (e as ConfigError).problems;
        }
      })();
      expect(problems, key).toHaveLength(1);
      // "frame_rate must be …": the key, then the schema's own message (not zod's generic "Invalid input").
      expect(problems[0], key).toMatch(new RegExp(`^${key} (must|is|and) `));
      expect(problems[0], key).not.toMatch(/invalid input|expected/i);
    }
  });

  it('refuses listen addresses that are neither an IP address nor a host name', () => {
    for (const key of ['host', 'dashboard_host', 'metrics_host']) {
      for (const bad of ['not a host!!', '', 'a..b', '-lead.example', 'under_score', '300.1.2.3', '1.2.3', '[::1]', 'x'.repeat(64)]) {
        expect(() => parseConfig({ [key]: bad }), `${key}: ${JSON.stringify(bad)}`).toThrow(
          `${key} must be an IP address (such as 127.0.0.1, 0.0.0.0 or ::) or a host name`,
        );
      }
      for (const good of ['127.0.0.1', '0.0.0.0', '::', '::1', 'fe80::1%eth0', '::ffff:127.0.0.1', 'localhost', 'my-pc.local', 'vnc.example.org.']) {
        expect(parseConfig({ [key]: good })[key as 'host'], `${key}: ${good}`).toBe(good);
      }
    }
  });

  it('reports every bad field at once', () => {
    try {
      parseConfig({ frame_rate: 100, port: -1 });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(2);
    }
  });

  it('lists unknown keys', () => {
    expect(unknownKeys({ port: 1, colour: 'blue' })).toEqual(['colour']);
  });

  it('binds to loopback without a password unless a host is given', () => {
    const none = { full: null, viewOnly: null };
    expect(resolveHost(parseConfig({}), none)).toBe('127.0.0.1');
    expect(resolveHost(parseConfig({}), { full: 'pw', viewOnly: null })).toBe('0.0.0.0');
    // a view-only password guards the server too
    expect(resolveHost(parseConfig({}), { full: null, viewOnly: 'pw' })).toBe('0.0.0.0');
    expect(resolveHost(parseConfig({ host: '0.0.0.0' }), none)).toBe('0.0.0.0');
  });

  it('reads the password from the first line of password_file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trayvnc-cfg-'));
    const f = join(dir, 'pw');
    writeFileSync(f, 'hunter22\nsecond line\n');
    expect(resolvePassword(parseConfig({ password_file: f }))).toBe('hunter22');
    expect(() => resolvePassword(parseConfig({ password_file: join(dir, 'missing') }))).toThrow(/password_file: cannot read/);
  });
});

describe('security_types', () => {
  it('takes names from the list, in the order given, and refuses unknown names, repeats and an empty list', async () => {
    const { parseConfig: parse, ConfigError: Err } = await import('../../../src/main/app/config.js');
    expect(parse({ security_types: ['vnc', 'vencrypt'] }).security_types).toEqual(['vnc', 'vencrypt']);
    for (const bad of [['tls'], ['vnc', 'vnc'], [], 'vnc']) {
      expect(() => parse({ security_types: bad }), JSON.stringify(bad)).toThrow(Err);
    }
  });
});
