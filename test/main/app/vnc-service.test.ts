import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { VncService } from '../../../src/main/app/vnc-service.js';

const held: net.Server[] = [];
afterEach(async () => {
  for (const s of held.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

async function listenOn(port: number): Promise<net.Server> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve());
  });
  return s;
}

/**
 * A loopback port that was free a moment ago, below the kernel's ephemeral
 * range (32768 and up on Linux): a port from listen(0) could be handed to
 * another test process's listen(0) before the service binds it (seen once in
 * CI), one from down here cannot.
 */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    try {
      const s = await listenOn(port);
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    } catch {
      // in use: try another
    }
  }
  throw new Error('no free loopback port between 20000 and 32000');
}

/** TCP server handles of this process (listening, or closed a moment ago). */
const tcpServers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;

describe('VncService.start', () => {
  it('undoes everything it started when a later step fails, and names the port that failed', async () => {
    const [vnc, ws, metrics] = [await freePort(), await freePort(), await freePort()];
    const taken = await listenOn(0);
    held.push(taken);
    const dashboard = (taken.address() as net.AddressInfo).port;

    const service = await VncService.create(
      parseConfig({
        source: 'synthetic',
        width: 320,
        height: 200,
        host: '127.0.0.1',
        port: vnc,
        websocket_port: ws,
        enable_metrics: true,
        metrics_port: metrics,
        dashboard_port: dashboard,
      }),
    );
    // The dashboard is the last thing start() opens: the VNC, WebSocket and metrics listeners are up by then.
    await expect(service.start()).rejects.toThrow(`cannot listen on 127.0.0.1:${dashboard} for the dashboard: address already in use`);

    expect(service.listening).toBeNull();
    expect(service.metricsListening).toBeNull();
    expect(service.websocket).toBeNull();
    expect(service.dashboard).toBeNull();
    // Only the port this test holds is still listening. (A closed handle leaves the list on a later turn of the event loop.)
    await expect.poll(tcpServers, { timeout: 1000, interval: 20 }).toBe(held.length);
    // The ports it had opened are free again.
    for (const port of [vnc, ws, metrics]) held.push(await listenOn(port));
    // Stopping a service whose start failed is harmless (the caller does it to release the desktop).
    await expect(service.stop()).resolves.toBeUndefined();
  });

  it('reports an address that does not resolve as the host that failed', async () => {
    const service = await VncService.create(parseConfig({ source: 'synthetic', width: 320, height: 200, host: 'nosuchhost.invalid', port: 0, password: 'secret99' }));
    try {
      await expect(service.start()).rejects.toThrow(/^cannot listen on nosuchhost\.invalid:0 for VNC viewers: host name not found/);
      expect(service.listening).toBeNull();
    } finally {
      await service.stop();
    }
  });
});
