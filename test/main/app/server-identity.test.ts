import { describe, expect, it } from 'vitest';
import { identityOf } from '../../../src/main/app/server-identity.js';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';

const security = { tls: { fingerprint: 'AA:BB' }, rsa: { fingerprint: 'cc-dd', sha256: 'ee:ff' } };
const keys = { tls: () => Promise.reject(new Error('unused')), rsa: () => Promise.reject(new Error('unused')) };
const target = (opts: Partial<RfbServerOptions>, secure = false) => ({ server: new RfbServer({ keys, ...opts }), security, websocket: { address: { address: '127.0.0.1', family: 'IPv4', port: 1 }, secure } });

describe('identityOf', () => {
  it('shows the fingerprints of what is offered, and none for a server without a password', () => {
    expect(identityOf(target({ password: 'secret99' }))).toEqual({ tlsFingerprint: 'AA:BB', rsaFingerprint: 'cc-dd', rsaSha256: 'ee:ff' });
    expect(identityOf(target({ password: null }))).toEqual({ tlsFingerprint: null, rsaFingerprint: null, rsaSha256: null });
    expect(identityOf(target({ password: 'secret99', securityTypes: ['vnc'] }))).toEqual({ tlsFingerprint: null, rsaFingerprint: null, rsaSha256: null });
    expect(identityOf(target({ password: 'secret99', securityTypes: ['ra2ne', 'vnc'] }))?.tlsFingerprint).toBeNull();
    // wss:// uses the certificate even when VeNCrypt is not offered.
    expect(identityOf(target({ password: 'secret99', securityTypes: ['ra2ne', 'vnc'] }, true))?.tlsFingerprint).toBe('AA:BB');
    expect(identityOf({ server: new RfbServer(), websocket: null })).toBeNull();
  });
});
