import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { openNoVnc } from '../support/novnc-browser.js';

/**
 * The dashboard's port over TLS (--http-tls) with the server's certificate:
 * noVNC in Chromium (the certificate pinned by its key, as a person who
 * checked the fingerprint would accept it) over wss:// at /websockify and on
 * the VNC port itself; the viewer page over https://; and a plain ws:// to
 * the TLS port fails at once while the server goes on serving others.
 */

const WIDTH = 640;
const HEIGHT = 480;
const PASSWORD = 'secret12';

describe('the dashboard over TLS', () => {
  let desk: DesktopServer;

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 13, config: { password: PASSWORD, dashboard_port: 0, dashboard_tls: true } });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  const dashPort = () => desk.service.dashboard!.address.port;
  const cert = () => desk.service.security.tls!.cert;

  it('serves https:// with the certificate whose fingerprint the server shows', async () => {
    expect(desk.service.dashboard!.pageUrl).toMatch(/^https:\/\//);
    const { status, type, fingerprint } = await new Promise<{ status: number; type: string; fingerprint: string }>((resolve, reject) => {
      https
        .get({ host: '127.0.0.1', port: dashPort(), path: '/viewer', rejectUnauthorized: false }, (res) => {
          const peer = (res.socket as TLSSocket).getPeerCertificate();
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), fingerprint: peer.fingerprint256 }));
        })
        .on('error', reject);
    });
    expect(fingerprint).toBe(desk.service.security.tls!.fingerprint);
    // The viewer page itself.
    expect(status).toBe(200);
    expect(type).toMatch(/text\/html/);
  });

  it('lets noVNC in over wss:// at /websockify and on the VNC port, pixel-exact', async () => {
    for (const [port, path] of [
      [dashPort(), '/websockify'],
      [desk.port, '/'],
    ] as const) {
      const b = await openNoVnc({ wsPort: port, wsPath: path, tlsCertPem: cert(), password: PASSWORD, viewport: { width: 900, height: 700 } });
      try {
        const diff = await b.waitForCanvas(desk.painter.expected, 15_000);
        expect(diff.count, `${port}${path}: ${b.console.join(' | ')}`).toBe(0);
        expect(desk.service.server.clients.some((c) => c.transport === 'websocket-tls')).toBe(true);
      } finally {
        await b.close();
      }
    }
  }, 90_000);

  it('fails a plain ws:// to the TLS port cleanly and keeps serving others', async () => {
    const t0 = Date.now();
    const outcome = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${dashPort()}/websockify`, ['binary']);
      ws.on('open', () => resolve('opened'));
      ws.on('error', (e) => resolve(`error: ${e.message}`));
      setTimeout(() => resolve('hung'), 8000).unref();
    });
    expect(outcome).toMatch(/^error: /);
    expect(Date.now() - t0).toBeLessThan(5000);
    const ok = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`wss://127.0.0.1:${dashPort()}/websockify`, ['binary'], { ca: cert(), rejectUnauthorized: false });
      ws.once('message', (m: Buffer) => {
        resolve(m.toString('latin1'));
        ws.close();
      });
      ws.on('error', (e) => resolve(`error: ${e.message}`));
    });
    expect(ok).toBe('RFB 003.008\n');
  }, 30_000);
});
