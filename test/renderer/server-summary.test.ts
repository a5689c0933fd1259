import { describe, expect, it } from 'vitest';
import { connectAddresses, desktopNotice, securityNotice, serverStatusText } from '../../src/renderer/server-summary.js';
import { serverState } from '../support/control-fixtures.js';

describe('server summary', () => {
  const state = serverState({ address: { host: '127.0.0.1', port: 5900 }, clients: 1 });

  it('says what is shared, to how many, and whether a password guards it', () => {
    expect(serverStatusText(state)).toBe('Sharing on 127.0.0.1:5900 · 1 viewer · password set');
    expect(serverStatusText({ ...state, passwordSet: false }, 2)).toBe('Sharing on 127.0.0.1:5900 · 2 viewers · no password');
    expect(serverStatusText({ ...state, viewOnlyPasswordSet: true })).toBe('Sharing on 127.0.0.1:5900 · 1 viewer · password and view-only password set');
    expect(serverStatusText({ ...state, running: false, address: null })).toBe('Not sharing');
  });

  it('lists where viewers connect, naming a reachable host for a wildcard listener', () => {
    expect(connectAddresses(state, '127.0.0.1')).toEqual([{ kind: 'VNC viewers', address: '127.0.0.1:5900' }]);
    const wild = { ...state, address: { host: '0.0.0.0', port: 5900 }, websocket: { host: '::', port: 6080 } };
    expect(connectAddresses(wild, 'box.lan')).toEqual([
      { kind: 'VNC viewers', address: 'box.lan:5900', note: 'listening on all network interfaces' },
      { kind: 'Browser viewers (WebSocket)', address: 'ws://box.lan:6080', note: 'listening on all network interfaces' },
    ]);
    expect(connectAddresses(wild, '')[0]).toEqual({ kind: 'VNC viewers', address: 'port 5900', note: "on any of this computer's network addresses" });
    expect(connectAddresses({ ...state, running: false }, 'h')).toEqual([]);
  });

  it('warns when the server is open to the network without authentication or encryption, the worst first', () => {
    expect(securityNotice(state)).toBeNull();
    const unencrypted = { kind: 'unencrypted' as const, message: 'Viewers on other computers log in with VNC Authentication only: …' };
    const noAuth = { kind: 'no-auth' as const, message: 'No authentication: anyone who can reach every network interface can …' };
    expect(securityNotice({ ...state, securityWarnings: [unencrypted] })).toEqual({ text: 'Unencrypted logins from the network', detail: unencrypted.message, warning: true });
    expect(securityNotice({ ...state, securityWarnings: [unencrypted, noAuth] })).toEqual({
      text: 'No authentication: anyone on the network can control this desktop',
      detail: `${unencrypted.message}\n${noAuth.message}`,
      warning: true,
    });
    expect(securityNotice({ ...state, running: false, securityWarnings: [noAuth] })).toBeNull();
  });

  it('says when the synthetic test pattern is shared, as a warning when no display was found', () => {
    const warning = 'no X display found (no --display, and $DISPLAY is not set): sharing the synthetic test pattern. …';
    expect(desktopNotice({ ...state, backend: { kind: 'synthetic', reason: 'no X display', warning, exact: true } })).toEqual({
      text: 'Sharing the synthetic test pattern: no display found',
      detail: warning,
      warning: true,
    });
    expect(desktopNotice({ ...state, backend: { kind: 'synthetic', reason: 'the settings choose the synthetic source', exact: true } })).toEqual({
      text: 'Sharing the synthetic test pattern',
      detail: 'Sharing the synthetic test pattern (the settings choose the synthetic source)',
      warning: false,
    });
    // a real desktop, a stopped server, or no word on the backend: nothing to add
    expect(desktopNotice({ ...state, backend: { kind: 'x11', display: ':0', reason: 'X display :0 from $DISPLAY', exact: true } })).toBeNull();
    expect(desktopNotice({ ...state, running: false, backend: { kind: 'synthetic', reason: 'no X display', warning, exact: true } })).toBeNull();
    expect(desktopNotice(state)).toBeNull();
    expect(desktopNotice(null)).toBeNull();
  });
});

describe('identityRows', () => {
  it('lists the fingerprints viewers are shown, only those the server has, only while sharing', async () => {
    const { identityRows } = await import('../../src/renderer/server-summary.js');
    const base = serverState({ address: { host: '127.0.0.1', port: 5900 } });
    expect(identityRows(base)).toEqual([]);
    const identity = { tlsFingerprint: 'AB:CD', rsaFingerprint: 'ce-66-7a-fc-60-93-7d-8b', rsaSha256: '01:02' };
    expect(identityRows({ ...base, identity }).map((r) => [r.kind, r.value])).toEqual([
      ['TLS certificate (SHA-256)', 'AB:CD'],
      ['RSA key', 'ce-66-7a-fc-60-93-7d-8b'],
    ]);
    expect(identityRows({ ...base, identity: { ...identity, tlsFingerprint: null } }).map((r) => r.kind)).toEqual(['RSA key']);
    expect(identityRows({ ...base, running: false, identity })).toEqual([]);
  });
});

describe('clientSecurityText', () => {
  it('says how a viewer got in, who it is, and whether it is a browser', async () => {
    const { clientSecurityText } = await import('../../src/renderer/server-summary.js');
    const { clientInfo } = await import('../support/control-fixtures.js');
    const c = clientInfo('a', '10.0.0.2:5000');
    expect(clientSecurityText(c)).toBe('VNC password, unencrypted');
    expect(clientSecurityText({ ...c, security: 'vencrypt', user: 'ada', transport: 'websocket-tls' })).toBe('TLS (VeNCrypt) · ada · browser, wss://');
    expect(clientSecurityText({ ...c, security: 'ra2ne', transport: 'websocket' })).toBe('RSA-AES, password only · browser');
    expect(clientSecurityText({ ...c, security: null })).toBe('security unknown');
  });
});
