import { describe, expect, it } from 'vitest';
import { connectAddresses, desktopNotice, serverStatusText } from '../../src/renderer/server-summary.js';
import { serverState } from '../support/control-fixtures.js';

describe('server summary', () => {
  const state = serverState({ address: { host: '127.0.0.1', port: 5900 }, clients: 1 });

  it('says what is shared, to how many, and whether a password guards it', () => {
    expect(serverStatusText(state)).toBe('Sharing on 127.0.0.1:5900 · 1 viewer · password set');
    expect(serverStatusText({ ...state, passwordSet: false }, 2)).toBe('Sharing on 127.0.0.1:5900 · 2 viewers · no password');
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

  it('says when the synthetic test pattern is shared, as a warning when no display was found', () => {
    const warning = 'no X display found (no --display, and $DISPLAY is not set): sharing the synthetic test pattern. …';
    expect(desktopNotice({ ...state, backend: { kind: 'synthetic', reason: 'no X display', warning } })).toEqual({
      text: 'Sharing the synthetic test pattern: no display found',
      detail: warning,
      warning: true,
    });
    expect(desktopNotice({ ...state, backend: { kind: 'synthetic', reason: 'the settings choose the synthetic source' } })).toEqual({
      text: 'Sharing the synthetic test pattern',
      detail: 'Sharing the synthetic test pattern (the settings choose the synthetic source)',
      warning: false,
    });
    // a real desktop, a stopped server, or no word on the backend: nothing to add
    expect(desktopNotice({ ...state, backend: { kind: 'x11', display: ':0', reason: 'X display :0 from $DISPLAY' } })).toBeNull();
    expect(desktopNotice({ ...state, running: false, backend: { kind: 'synthetic', reason: 'no X display', warning } })).toBeNull();
    expect(desktopNotice(state)).toBeNull();
    expect(desktopNotice(null)).toBeNull();
  });
});
