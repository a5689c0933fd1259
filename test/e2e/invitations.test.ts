import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging } from '../../src/main/base/logger.js';
import { startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import { captureLogs } from '../support/log-capture.js';
import { openNoVnc } from '../support/novnc-browser.js';
import { ControlConnection } from '../../src/main/app/control-connection.js';

/**
 * Invitation links: upstream noVNC in Chromium, with no password, through the
 * dashboard's /websockify with the link's secret, against a server that has
 * one. Exactly one browser gets in; a second use, an expired and a revoked
 * link are refused with a reason noVNC reports; the secret is in no log line.
 */

const WIDTH = 640;
const HEIGHT = 480;

describe('invitation links, with noVNC in Chromium', () => {
  let desk: DesktopServer;
  let conn: ControlConnection;
  const logs = captureLogs('debug');

  beforeAll(async () => {
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 9, config: { password: 'secret12', dashboard_port: 0 } });
    conn = new ControlConnection(desk.service.control!, () => undefined, 'the test');
  }, 60_000);

  afterAll(async () => {
    conn?.close();
    await desk?.stop();
    configureLogging({ level: 'silent' });
  });

  async function invite(params: Record<string, unknown> = {}): Promise<{ id: string; link: string; secret: string }> {
    const reply = await conn.call('createInvitation', params);
    if (!('result' in reply)) throw new Error(JSON.stringify(reply.error));
    const made = reply.result as { id: string; link: string };
    return { ...made, secret: new URL(made.link).hash.replace(/^#invite=/, '') };
  }

  const open = (secret: string, waitConnected = true) =>
    openNoVnc({ wsPort: desk.service.dashboard!.address.port, wsPath: `/websockify?invite=${encodeURIComponent(secret)}`, viewport: { width: 900, height: 700 }, waitConnected });

  it('lets one browser in without the password, view-only as made, and refuses the same link a second time', async () => {
    const inv = await invite({ viewOnly: true, label: 'Support desk' });
    expect(new URL(inv.link).pathname).toBe('/viewer');
    const first = await open(inv.secret);
    try {
      const diff = await first.waitForCanvas(desk.painter.expected, 15_000);
      expect(diff.count, first.console.join(' | ')).toBe(0);
      const client = desk.service.server.clients.find((c) => c.user === 'Support desk (invitation)');
      expect(client?.viewOnly).toBe(true);
      expect(client?.securityType).toBe('none');

      const second = await open(inv.secret, false);
      try {
        await second.waitDisconnected(10_000);
        const st = await second.state();
        expect(st.connected).toBe(false);
        expect(st.securityFailure?.reason).toMatch(/already used/);
      } finally {
        await second.close();
      }
      expect((await first.state()).disconnected).toBeNull(); // the first one stays
    } finally {
      await first.close();
    }
    // The secret reached the server in a URL, and appears in no log line.
    const text = JSON.stringify(logs);
    expect(text).toContain('invitation used');
    expect(text).not.toContain(inv.secret);
  }, 60_000);

  it('refuses a revoked link and one that is not valid, saying why', async () => {
    const inv = await invite();
    const revoked = await conn.call('revokeInvitation', { id: inv.id });
    expect('result' in revoked).toBe(true);
    for (const [secret, why] of [
      [inv.secret, /withdrawn/],
      ['A'.repeat(43), /not valid/],
    ] as const) {
      const b = await open(secret, false);
      try {
        await b.waitDisconnected(10_000);
        expect((await b.state()).securityFailure?.reason).toMatch(why);
      } finally {
        await b.close();
      }
    }
    const listed = await conn.call('listInvitations', undefined);
    expect('result' in listed && (listed.result as Array<{ id: string; state: string }>).find((i) => i.id === inv.id)?.state).toBe('revoked');
  }, 60_000);

  it('without the link, the browser still needs the password', async () => {
    const b = await openNoVnc({ wsPort: desk.service.dashboard!.address.port, wsPath: '/websockify', viewport: { width: 900, height: 700 }, waitConnected: false });
    try {
      const deadline = Date.now() + 10_000;
      let asked = false;
      while (Date.now() < deadline && !asked) {
        asked = (await b.state()).events.some((e) => e.type === 'credentialsrequired');
        if (!asked) await new Promise((r) => setTimeout(r, 50));
      }
      expect(asked).toBe(true);
      expect((await b.state()).connected).toBe(false);
    } finally {
      await b.close();
    }
  }, 60_000);
});
