import { describe, expect, it } from 'vitest';
import { checkExposure } from '../../../src/main/app/exposure.js';

const none = { name: 'none', encrypts: false };
const vnc = { name: 'vnc', encrypts: false };
const tls = { name: 'vencrypt', encrypts: true };

describe('checkExposure', () => {
  it('leaves loopback alone, whatever is offered', () => {
    for (const host of ['127.0.0.1', '::1', 'localhost', '127.0.0.2']) expect(checkExposure(host, [none], false)).toEqual({ error: null, warnings: [] });
  });

  it('refuses no authentication beyond loopback unless told, and warns when told', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.5', 'my-pc.local']) {
      expect(checkExposure(host, [none], false).error).toMatch(/^refusing to listen on .* without authentication/);
      const told = checkExposure(host, [none], true);
      expect(told.error).toBeNull();
      expect(told.warnings.map((w) => w.kind)).toEqual(['no-auth']);
    }
  });

  it('warns when the only ways in are unencrypted, not when an encrypted one is offered', () => {
    expect(checkExposure('0.0.0.0', [vnc], false).warnings.map((w) => w.kind)).toEqual(['unencrypted']);
    expect(checkExposure('0.0.0.0', [tls, vnc], false)).toEqual({ error: null, warnings: [] });
  });
});
