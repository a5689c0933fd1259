import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserStore } from '../../src/main/app/user-store.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { openNoVnc, type NoVncBrowser } from '../support/novnc-browser.js';

/**
 * Upstream noVNC in Chromium over wss:// (the WebSocket inside TLS, with the
 * server's own certificate, which Chromium is told to trust by its public
 * key only) logs in with VeNCrypt's Plain: a user name and password, the
 * subtype noVNC speaks, offered only where TLS already protects the stream.
 * The desktop shows pixel-exact; a wrong password is refused.
 */

const WIDTH = 640;
const HEIGHT = 400;

describe('noVNC with VeNCrypt Plain over wss://', () => {
  let desk: DesktopServer;
  let dir: string;
  const browsers: NoVncBrowser[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trayvnc-wss-e2e-'));
    const users = await UserStore.open(join(dir, 'users.json'));
    await users.set('ada', 'correct horse', 'full');
    desk = await startDesktopServer({
      width: WIDTH,
      height: HEIGHT,
      seed: 11,
      config: { users_file: join(dir, 'users.json'), websocket_port: 0, websocket_tls: true, security_types: ['vencrypt'] },
    });
  }, 60_000);

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await desk?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('offers browsers only VeNCrypt Plain over wss://, and noVNC logs in with a user name, pixel-exact', async () => {
    const ws = desk.service.websocket!;
    expect(ws.secure).toBe(true);
    // Over TCP VeNCrypt offers its TLS subtypes; inside wss:// only Plain (256).
    const server = desk.service.server;
    const overWss = server.offeredSecurityTypes('websocket-tls');
    expect(overWss.map((t) => t.id)).toEqual([19]);
    expect(server.offeredSecurityTypes('websocket')).toEqual([]);

    const browser = await openNoVnc({
      wsPort: ws.address.port,
      username: 'ada',
      password: 'correct horse',
      tlsCertPem: desk.service.security.tls!.cert,
      viewport: { width: 800, height: 600 },
    });
    browsers.push(browser);
    const diff = await browser.waitForCanvas(desk.painter.expected, 15_000);
    expect(diff.count, `${diff.width}x${diff.height}: ${JSON.stringify(diff.first)}; console: ${browser.console.join(' | ')}`).toBe(0);
    expect(server.clients.map((c) => [c.securityType, c.user, c.transport])).toEqual([['vencrypt', 'ada', 'websocket-tls']]);
  }, 60_000);

  it('refuses a wrong password', async () => {
    const browser = await openNoVnc({
      wsPort: desk.service.websocket!.address.port,
      username: 'ada',
      password: 'wrong horse',
      tlsCertPem: desk.service.security.tls!.cert,
      waitConnected: false,
    });
    browsers.push(browser);
    const deadline = Date.now() + 15_000;
    let state = await browser.state();
    while (!state.securityFailure && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      state = await browser.state();
    }
    expect(state.securityFailure, browser.console.join(" | ")).not.toBeNull();
    expect(state.connected).toBe(false);
  }, 60_000);
});
