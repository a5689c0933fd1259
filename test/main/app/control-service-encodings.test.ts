import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/main/app/config.js';
import { ControlService } from '../../../src/main/app/control-service.js';
import type { ScreenSource } from '../../../src/main/desktop/screen.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { Encoding, encodingName } from '../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../src/main/rfb/server.js';
import { NoVncViewer } from '../../support/novnc-viewer.js';

/**
 * The Clients table's "Encodings" column: what a viewer is actually being
 * sent, over its whole session and most bytes first, checked against what a
 * viewer decoding with noVNC's own decoders received.
 */

const W = 256;
const H = 192;

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** Text-like stripes: plenty for ZRLE to encode, and a clear picture to scroll. */
function paint(frame: Frame, offset: number): void {
  for (let y = 0; y < frame.height; y++) {
    const row = y + offset;
    for (let x = 0; x < frame.width; x++) {
      frame.pixels[y * frame.stride + x] = (row * 7 + x * 3) % 5 === 0 ? 0x202020 : ((row * 2654435761) ^ (x >> 3)) & 0xffffff;
    }
  }
}

async function until(probe: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ControlService: the encodings a client is sent', () => {
  it('lists every encoding used this session, most bytes first, not just the last update’s', async () => {
    const server = new RfbServer({ frameRate: 60 });
    const frame = createFrame(W, H);
    paint(frame, 0);
    server.setFrame(frame);
    const { port } = await server.listen(0, '127.0.0.1');
    cleanup.push(() => server.close());
    const control = new ControlService({
      server,
      config: parseConfig({ port }),
      source: { name: 'synthetic', width: W, height: H } as ScreenSource,
      listening: null,
      password: null,
      websocket: null,
    });
    cleanup.push(() => control.close());

    // TigerVNC's viewer offers CopyRect and ZRLE (among others): the full picture comes as ZRLE.
    const viewer = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE, Encoding.CopyRect] });
    cleanup.push(() => viewer.close());
    await viewer.settle(1);
    expect(control.listClients()[0]!.encodingsInUse).toEqual(['ZRLE']);

    // Then a scroll: the last updates carry CopyRect only (nothing else changed).
    for (let step = 1; step <= 3; step++) {
      paint(frame, step * 8);
      const before = viewer.updates;
      server.applyChanges([{ dst: { x: 0, y: 0, w: W, h: H - 8 }, srcX: 0, srcY: 8 }], []);
      await until(() => viewer.updates > before, 5000, `scroll ${step} to arrive`);
    }
    await viewer.settle(0);
    expect(viewer.error).toBeNull();
    expect([...viewer.seen].map(encodingName).sort()).toEqual(['CopyRect', 'ZRLE']);

    const [info] = control.listClients();
    // ZRLE carried the desktop; CopyRect only moved it: ZRLE comes first.
    expect(info!.encodingsInUse).toEqual(['ZRLE', 'CopyRect']);
    // The figures match what the viewer itself counted, rectangle by rectangle and byte by byte.
    const tallied = [...viewer.tally].map(([enc, t]) => ({ encoding: encodingName(enc), rectangles: t.rects, bytes: t.bytes }));
    expect(info!.encodingUsage).toEqual(tallied.sort((a, b) => b.bytes - a.bytes));
    expect(info!.encodingUsage.find((u) => u.encoding === 'CopyRect')!.rectangles).toBe(3);
  });

  it('forgets a client’s figures when it leaves', async () => {
    const server = new RfbServer({ frameRate: 60 });
    const frame = createFrame(64, 64);
    paint(frame, 0);
    server.setFrame(frame);
    const { port } = await server.listen(0, '127.0.0.1');
    cleanup.push(() => server.close());
    const control = new ControlService({
      server,
      config: parseConfig({ port }),
      source: { name: 'synthetic', width: 64, height: 64 } as ScreenSource,
      listening: null,
      password: null,
      websocket: null,
    });
    cleanup.push(() => control.close());
    const first = await NoVncViewer.connect({ port, encodings: [Encoding.Raw] });
    await first.settle(1);
    const id = control.listClients()[0]!.id;
    expect(control.listClients()[0]!.encodingsInUse).toEqual(['Raw']);
    first.close();
    await until(() => control.listClients().length === 0, 5000, 'the client to leave');
    const second = await NoVncViewer.connect({ port, encodings: [Encoding.ZRLE] });
    cleanup.push(() => second.close());
    await second.settle(1);
    const [info] = control.listClients();
    expect(info!.id).not.toBe(id);
    expect(info!.encodingsInUse).toEqual(['ZRLE']);
    expect(info!.encodingUsage).toHaveLength(1);
  });
});
