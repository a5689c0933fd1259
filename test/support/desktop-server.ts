import { VncService } from '../../src/main/app/vnc-service.js';
import { parseConfig } from '../../src/main/app/config.js';
import { startXvfb, type XvfbHandle } from './xvfb.js';
import { DesktopPainter } from './desktop-image.js';
import type { RefClient } from './libvncclient.js';

/** A real X desktop (Xvfb) showing the deterministic pattern, shared by our server on loopback. */
export interface DesktopServer {
  xvfb: XvfbHandle;
  painter: DesktopPainter;
  service: VncService;
  port: number;
  stop(): Promise<void>;
}

export async function startDesktopServer(opts: { width: number; height: number; seed: number; frameRate?: number }): Promise<DesktopServer> {
  const xvfb = await startXvfb({ width: opts.width, height: opts.height });
  const painter = await DesktopPainter.open(xvfb.display);
  await painter.paintBackground(opts.seed);
  const service = await VncService.create(
    parseConfig({ display: xvfb.display, port: 0, frame_rate: opts.frameRate ?? 60, host: '127.0.0.1', always_shared: true }),
  );
  const port = (await service.start()).port;
  return {
    xvfb,
    painter,
    service,
    port,
    async stop() {
      await service.stop();
      await painter.close();
      await xvfb.stop();
    },
  };
}

/**
 * Wait for the update after `after`, then until no update has arrived for a
 * quarter second: one change may take several updates to arrive.
 */
export async function settle(client: RefClient, after: number, timeoutMs = 8000): Promise<void> {
  await client.waitUpdates(after + 1, timeoutMs);
  const deadline = Date.now() + timeoutMs;
  let seen = client.updateCount;
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    if (client.updateCount === seen) return;
    seen = client.updateCount;
    if (Date.now() > deadline) throw new Error('updates did not settle');
  }
}
