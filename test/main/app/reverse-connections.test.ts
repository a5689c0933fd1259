import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../src/main/app/reverse-connections.js';
import { validateSettings } from '../../../src/shared/settings-schema.js';

describe('parseTarget', () => {
  it.each([
    ['viewer.example', { host: 'viewer.example', port: 5500 }],
    ['10.0.0.5:5501', { host: '10.0.0.5', port: 5501 }],
    ['[fd00::5]:5600', { host: 'fd00::5', port: 5600 }],
    ['[::1]', { host: '::1', port: 5500 }],
    ['fd00::5', { host: 'fd00::5', port: 5500 }],
  ])('%s', (text, want) => {
    expect(parseTarget(text)).toEqual(want);
  });

  it.each(['', 'host:0', 'host:70000', 'host:x', 'a b:5500'])('refuses %j', (text) => {
    expect(() => parseTarget(text)).toThrow(/host\[:port\]/);
  });

  it('the setting takes what the dialler takes', () => {
    expect(validateSettings({ connect: '10.0.0.5:5501' }).ok).toBe(true);
    expect(validateSettings({ connect: '[fd00::5]:5600' }).ok).toBe(true);
    expect(validateSettings({ connect: 'a b' }).ok).toBe(false);
  });
});
