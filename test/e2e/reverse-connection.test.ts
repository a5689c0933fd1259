import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRefClient } from '../support/libvncclient.js';
import { diffReport, expectedFramebuffer } from '../support/pixel-expect.js';
import { settle, startDesktopServer, type DesktopServer } from '../support/desktop-server.js';
import type { OutgoingInfo } from '../../src/main/app/reverse-connections.js';
import { ControlConnection } from '../../src/main/app/control-connection.js';
import type { WireEvent } from '../../src/shared/control-contract.js';

/**
 * Reverse connections (--connect): the server calls out to libvncclient
 * waiting in listen mode (what `vncviewer -listen` does) on loopback. Started
 * before anyone listens, the first attempt is refused and reported, the
 * retry gets through, and the viewer's picture is pixel-exact.
 */

const WIDTH = 320;
const HEIGHT = 240;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('reverse connection to a listening viewer', () => {
  let desk: DesktopServer;
  let port: number;
  const states: OutgoingInfo[] = [];

  beforeAll(async () => {
    port = await freePort();
    // Nobody listens yet: the server's first call is refused.
    desk = await startDesktopServer({ width: WIDTH, height: HEIGHT, seed: 4, config: { connect: `127.0.0.1:${port}` } });
  }, 60_000);

  afterAll(async () => {
    await desk?.stop();
  });

  it('reports the refused attempt, retries, and serves the viewer pixel-exact once it listens', async () => {
    const reverse = desk.service.reverse!;
    expect(reverse).not.toBeNull();
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && reverse.list()[0]?.state !== 'retrying') await new Promise((r) => setTimeout(r, 20));
    const retrying = reverse.list()[0]!;
    states.push(retrying);
    expect(retrying).toMatchObject({ target: `127.0.0.1:${port}`, state: 'retrying', attempts: 1 });
    expect(retrying.reason).toMatch(/refused.*retrying in 2 s/);

    const client = await startRefClient({ host: '127.0.0.1', port, format: 'rgb888le', encodings: ['zrle'], listen: true, defaultTimeoutMs: 15_000 });
    try {
      await client.waitConnected();
      await settle(client, 0);
      const dump = await client.dump();
      const report = diffReport(expectedFramebuffer(desk.painter.expected.pixels, WIDTH, HEIGHT, 'rgb888le'), dump.data, WIDTH, HEIGHT, dump.bpp, { format: 'rgb888le' });
      expect(report.equal, report.summary).toBe(true);
      expect(reverse.list()[0]).toMatchObject({ state: 'connected', attempts: 2 });
      expect(desk.service.server.clients.length).toBe(1);
    } finally {
      await client.close();
    }
    const until = Date.now() + 5000;
    while (Date.now() < until && reverse.list()[0]?.state === 'connected') await new Promise((r) => setTimeout(r, 20));
    expect(reverse.list()[0]).toMatchObject({ state: 'ended' });
  }, 60_000);

  it('through the control API: connectToViewer reports each state as an event, and refuses a malformed target', async () => {
    const events: WireEvent[] = [];
    const conn = new ControlConnection(desk.service.control!, (e) => events.push(e), 'the test');
    try {
      await conn.call('subscribe', { event: 'reverse' });
      const nobody = await freePort();
      const reply = await conn.call('connectToViewer', { target: `127.0.0.1:${nobody}` });
      expect('result' in reply && reply.result).toMatchObject({ target: `127.0.0.1:${nobody}`, state: 'connecting' });
      const deadline = Date.now() + 5000;
      const states = () => events.filter((e) => e.event === 'reverse').map((e) => (e.payload as OutgoingInfo).state);
      while (Date.now() < deadline && !states().includes('retrying')) await new Promise((r) => setTimeout(r, 20));
      expect(states()).toContain('retrying');
      const bad = await conn.call('connectToViewer', { target: 'no such:host:1' });
      expect('error' in bad && bad.error.code).toBe('invalid-params');
      const listed = await conn.call('listReverseConnections', undefined);
      expect('result' in listed && (listed.result as OutgoingInfo[]).map((i) => i.target)).toContain(`127.0.0.1:${nobody}`);
    } finally {
      conn.close();
    }
  }, 30_000);
});
