import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RsaKeyStore } from '../../src/main/app/rsa-key.js';
import { rsaFingerprint } from '../../src/main/rfb/security/rsa-aes-keys.js';
import { listenWebSocket, type WebSocketListener } from '../../src/main/rfb/websocket-listener.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { openNoVnc, type NoVncBrowser } from '../support/novnc-browser.js';

/**
 * Upstream noVNC in Chromium logs in with RSA-AES (RA2ne, the one it speaks)
 * over plain ws:// to our WebSocket listener, with a password, and shows the
 * desktop pixel-exact; the key it asks the user to approve is our key file's;
 * a wrong password is refused.
 */

const WIDTH = 640;
const HEIGHT = 400;
const PASSWORD = 'ra2ne e2e';

describe('noVNC with RSA-AES (RA2ne)', () => {
  let desk: DesktopServer;
  let ws: WebSocketListener;
  let keyDir: string;
  let store: RsaKeyStore;
  const browsers: NoVncBrowser[] = [];

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'trayvnc-ra2-e2e-'));
    store = new RsaKeyStore(join(keyDir, 'trayvnc'));
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 5, config: { password: PASSWORD, security_types: ['ra2ne'] } });
    // The service does not keep keys yet: give its server the key store the app will give it.
    desk.service.server.options.keys = { rsa: () => store.privateKeyPem(), tls: () => Promise.reject(new Error('no TLS certificate here')) };
    ws = await listenWebSocket(desk.service.server, 0, '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await ws?.close();
    await desk?.stop();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('connects with the password, shows the desktop pixel-exact, and the key it approved is ours', async () => {
    expect(desk.service.server.offeredSecurityTypes().map((t) => t.name)).toEqual(['ra2ne']);
    const t0 = Date.now();
    const browser = await openNoVnc({ wsPort: ws.address.port, password: PASSWORD, viewport: { width: 800, height: 600 } });
    browsers.push(browser);
    const connectedMs = Date.now() - t0;
    const diff = await browser.waitForCanvas(desk.painter.expected, 15_000);
    expect(diff.count, `${diff.width}x${diff.height}: ${JSON.stringify(diff.first)}; console: ${browser.console.join(' | ')}`).toBe(0);

    const state = await browser.state();
    const verification = state.events.filter((e) => e.type === 'serververification');
    expect(verification).toHaveLength(1);
    const shown = Buffer.from((verification[0]!.detail as { publickey: string }).publickey, 'hex');
    const key = await store.get();
    expect(rsaFingerprint(shown)).toBe(key.fingerprint);
    expect(state.events.some((e) => e.type === 'credentialsrequired')).toBe(false);

    const session = desk.service.server.clients.find((s) => s.securityType === 'ra2ne');
    expect(session?.access).toBe('full');
    // From the key shown to 'connect': noVNC's key pair and RSA in JavaScript, the exchange, ServerInit. Logged for the record.
    const connectAt = state.events.find((e) => e.type === 'connect')!.at;
    console.info(`noVNC RA2ne: connected in ${connectedMs} ms with Chromium's start, ${connectAt - verification[0]!.at} ms from the key to 'connect' (fingerprint ${key.fingerprint})`);
    expect(connectedMs).toBeLessThan(20_000);

    await desk.painter.paintRect({ x: 50, y: 60, w: 200, h: 120 }, 33);
    const after = await browser.waitForCanvas(desk.painter.expected, 15_000);
    expect(after.count, JSON.stringify(after.first)).toBe(0);
  }, 60_000);

  it('refuses a wrong password', async () => {
    const before = desk.service.server.clients.length;
    const browser = await openNoVnc({ wsPort: ws.address.port, password: 'not it', waitConnected: false });
    browsers.push(browser);
    await browser.waitDisconnected(15_000);
    const state = await browser.state();
    expect(state.events.filter((e) => e.type === 'serververification')).toHaveLength(1);
    expect(state.connected).toBe(false);
    expect(state.securityFailure?.status).toBe(1);
    expect(state.securityFailure?.reason).toBe('authentication failed');
    expect(state.events.some((e) => e.type === 'connect')).toBe(false);
    expect(desk.service.server.clients.length).toBe(before);
  }, 40_000);
});
