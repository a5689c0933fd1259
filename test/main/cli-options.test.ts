import { describe, expect, it } from 'vitest';
import { buildConfig, CLI_OPTIONS, FLAG_OF_KEY, FILE_ONLY_KEYS, HELP } from '../../src/main/cli-options.js';
import { ConfigError } from '../../src/main/app/config.js';
import { SETTING_KEYS } from '../../src/shared/settings-schema.js';

/** The README says `trayvnc serve --help` lists a flag for every config key (file-only keys are named as such). */
describe('trayvnc serve options', () => {
  it('have a flag for every config key, each in --help and known to the parser', () => {
    const missing = SETTING_KEYS.filter((k) => FLAG_OF_KEY[k] === null && !FILE_ONLY_KEYS.includes(k));
    expect(missing).toEqual([]);
    for (const key of SETTING_KEYS) {
      const flag = FLAG_OF_KEY[key];
      if (flag === null) continue;
      expect(HELP, `${key}: ${flag} in --help`).toMatch(new RegExp(`^\\s+${flag}\\b`, 'm'));
      expect(Object.keys(CLI_OPTIONS), `${key}: ${flag} parsed`).toContain(flag.slice(2));
    }
    // Keys only a config file sets are listed as such in --help.
    for (const key of FILE_ONLY_KEYS) expect(HELP).toContain(key);
  });

  it('set handshake_timeout and max_cut_text', () => {
    const { config } = buildConfig(['--source', 'synthetic', '--handshake-timeout', '25', '--max-cut-text', '1048576']);
    expect(config).toMatchObject({ handshake_timeout: 25, max_cut_text: 1048576 });
    expect(() => buildConfig(['--source', 'synthetic', '--handshake-timeout', '0'])).toThrow(ConfigError);
    try {
      buildConfig(['--source', 'synthetic', '--max-cut-text', 'lots']);
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(['--max-cut-text: "lots" is not a whole number']);
    }
  });
});
