import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseConfig } from '../../src/main/app/config.js';
import { VncService } from '../../src/main/app/vnc-service.js';
import { createControlClient, webSocketTransport, type WebSocketConstructor } from '../../src/renderer/api/control-client.js';
import type { MetricsSnapshot } from '../../src/shared/control-contract.js';
import { RawViewer } from '../support/raw-viewer.js';

/**
 * The metrics stream as the dashboard sees it: `trayvnc serve --dashboard-port`,
 * a client of the control API over its WebSocket, a viewer watching the
 * animated synthetic desktop at 10 updates/s.
 */
describe('live metrics through the control API', () => {
  let service: VncService;

  beforeAll(async () => {
    service = await VncService.create(
      parseConfig({ source: 'synthetic', width: 320, height: 200, port: 0, host: '127.0.0.1', frame_rate: 10, dashboard_port: 0 }),
    );
    await service.start();
  });

  afterAll(async () => {
    await service?.stop();
  });

  it('streams one snapshot a second with the viewer at about the frame rate, and stops when unsubscribed', async () => {
    const viewer = await RawViewer.connect(service.listening!.port);
    const client = createControlClient(webSocketTransport(service.dashboard!.url, { WebSocket: WebSocket as unknown as WebSocketConstructor, timeoutMs: 5000 }));
    try {
      await viewer.waitForMore(5, 5000);
      const snaps: Array<{ at: number; snap: MetricsSnapshot }> = [];
      const off = client.on('metrics', (snap) => snaps.push({ at: Date.now(), snap }));
      await new Promise((r) => setTimeout(r, 4200));
      off();
      expect(snaps.length).toBeGreaterThanOrEqual(3);
      expect(snaps.length).toBeLessThanOrEqual(6);
      const gaps = snaps.slice(1).map((s, i) => s.at - snaps[i]!.at);
      for (const g of gaps) expect(g).toBeGreaterThan(500);
      const last = snaps.at(-1)!.snap;
      expect(last.clients).toHaveLength(1);
      const fps = last.clients[0]!.fps!;
      expect(fps).toBeGreaterThan(3); // 10 asked; a loaded machine may deliver fewer
      expect(fps).toBeLessThanOrEqual(11);
      // Nobody listens any more: the monitor's timer is off.
      await new Promise((r) => setTimeout(r, 300));
      expect(service.telemetry.monitor.subscribed).toBe(false);
    } finally {
      client.close();
      viewer.close();
    }
  }, 20_000);
});
