import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { serverOptionsFrom } from '../../../src/main/app/server-options.js';
import { VncService } from '../../../src/main/app/vnc-service.js';
import { DEFAULT_SERVER_OPTIONS } from '../../../src/main/rfb/server.js';

describe('serverOptionsFrom', () => {
  it('maps every setting the server reads', () => {
    const settings = parseConfig({
      desktop_name: 'desk',
      frame_rate: 12,
      max_connections: 3,
      always_shared: true,
      handshake_timeout: 7,
      max_cut_text: 1000,
      view_only: true,
      allow_resize: false,
      security_types: ['vencrypt', 'vnc'],
      vencrypt_subtypes: ['x509vnc', 'TLSVnc'],
    });
    expect(serverOptionsFrom(settings, { full: 'secret12', viewOnly: 'watch123' })).toEqual({
      password: 'secret12',
      securityTypes: ['vencrypt', 'vnc'],
      vencryptSubtypes: [261, 258],
      viewOnlyPassword: 'watch123',
      desktopName: 'desk',
      frameRate: 12,
      maxConnections: 3,
      alwaysShared: true,
      handshakeTimeoutMs: 7000,
      limits: { maxEncodings: DEFAULT_SERVER_OPTIONS.limits.maxEncodings, maxCutText: 1000 },
      viewOnly: true,
      allowResize: false,
    });
  });

  it('fills in what the settings leave out: the host name, the schema defaults, no password', () => {
    expect(serverOptionsFrom(parseConfig({}), { full: null, viewOnly: null })).toEqual({
      password: null,
      securityTypes: null,
      vencryptSubtypes: null,
      viewOnlyPassword: null,
      desktopName: hostname(),
      frameRate: 60,
      maxConnections: 10,
      alwaysShared: false,
      handshakeTimeoutMs: 10_000,
      limits: { maxEncodings: 512, maxCutText: 256 * 1024 },
      viewOnly: false,
      allowResize: true,
    });
  });

  it('is what the running service builds its server from', async () => {
    const settings = parseConfig({
      source: 'synthetic',
      width: 64,
      height: 48,
      password: 'pw123456',
      view_only_password: 'look1234',
      always_shared: true,
      handshake_timeout: 3,
      max_cut_text: 99,
    });
    const service = await VncService.create(settings);
    try {
      // The service adds what it keeps itself: the keys and the users.
      expect(service.server.options).toEqual({
        ...DEFAULT_SERVER_OPTIONS,
        ...serverOptionsFrom(settings, { full: 'pw123456', viewOnly: 'look1234' }),
        keys: service.security.keys,
        users: service.security.users,
      });
      expect(service.server.options.viewOnlyPassword).toBe('look1234');
    } finally {
      await service.stop();
    }
  });
});
