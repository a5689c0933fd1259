import { VncService } from '../../src/main/app/vnc-service.js';
import { parseConfig } from '../../src/main/app/config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startXvfb, xrun, type XvfbHandle } from './xvfb.js';
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

export async function startDesktopServer(opts: {
  width: number;
  height: number;
  seed: number;
  frameRate?: number;
  xvfbArgs?: string[];
  /** More settings for the service (config file keys). */
  config?: Record<string, unknown>;
}): Promise<DesktopServer> {
  const xvfb = await startXvfb({ width: opts.width, height: opts.height, ...(opts.xvfbArgs ? { args: opts.xvfbArgs } : {}) });
  const painter = await DesktopPainter.open(xvfb.display);
  await painter.paintBackground(opts.seed);
  // Pixel-exact checks compare against the painted pattern alone: give the root window a fully
  // transparent cursor, so the cursor painted for viewers without cursor support adds nothing.
  await hideCursor(xvfb.display);
  const service = await VncService.create(
    parseConfig({ display: xvfb.display, port: 0, frame_rate: opts.frameRate ?? 60, host: '127.0.0.1', always_shared: true, ...opts.config }),
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

/** Set an invisible (all-transparent) cursor on the root window. */
export async function hideCursor(display: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trayvnc-cursor-'));
  const xbm = '#define blank_width 8\n#define blank_height 8\n#define blank_x_hot 0\n#define blank_y_hot 0\nstatic unsigned char blank_bits[] = {\n 0,0,0,0,0,0,0,0 };\n';
  writeFileSync(join(dir, 'blank.xbm'), xbm);
  await xrun(display, 'xsetroot', ['-cursor', join(dir, 'blank.xbm'), join(dir, 'blank.xbm')]);
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
