import { afterEach, describe, expect, it } from 'vitest';
import { RfbServer, type RfbServerOptions } from '../../../src/main/rfb/server.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { TestViewer } from '../../support/test-viewer.js';

const RAW = 0;
const DESKTOP_SIZE = -223;
const DESKTOP_NAME = -307;

let server: RfbServer | null = null;

async function serve(frame: Frame, opts: Partial<RfbServerOptions> = {}): Promise<number> {
  server = new RfbServer({ password: null, alwaysShared: true, ...opts });
  server.setFrame(frame);
  return (await server.listen(0, '127.0.0.1')).port;
}

function gradient(w: number, h: number): Frame {
  const f = createFrame(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) f.pixels[y * w + x] = ((x * 7) & 255) << 16 | ((y * 5) & 255) << 8 | ((x + y) & 255);
  return f;
}

afterEach(async () => {
  await server?.close();
  server = null;
});

describe('FramebufferUpdateRequest semantics', () => {
  it('answers a non-incremental request with the whole area, and an incremental one only after a change', async () => {
    const frame = gradient(100, 60);
    const port = await serve(frame, { frameRate: 60 });
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    v.request(false);
    const full = await v.nextUpdate();
    expect(full.map((r) => [r.x, r.y, r.w, r.h])).toEqual([[0, 0, 100, 60]]);
    // Raw pixels in the server's format (32 bpp little-endian 0x00RRGGBB) equal the frame.
    expect(new Uint32Array(full[0]!.payload.buffer.slice(full[0]!.payload.byteOffset, full[0]!.payload.byteOffset + full[0]!.payload.length))).toEqual(frame.pixels);

    v.request(true);
    await expect(v.next(300)).rejects.toThrow(/timed out/); // nothing changed: no update
    frame.pixels.fill(0xff0000, 10 * 100, 12 * 100);
    server!.markChanged([{ x: 0, y: 10, w: 100, h: 2 }]);
    const inc = await v.nextUpdate();
    expect(inc.map((r) => [r.x, r.y, r.w, r.h])).toEqual([[0, 10, 100, 2]]);
    v.close();
  });

  it('clips updates to the requested area', async () => {
    const port = await serve(gradient(128, 128));
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    v.request(false, { x: 10, y: 20, w: 30, h: 40 });
    expect((await v.nextUpdate()).map((r) => [r.x, r.y, r.w, r.h])).toEqual([[10, 20, 30, 40]]);
    v.close();
  });

  it('sends at most frame_rate updates per second to a client', async () => {
    const frame = gradient(64, 64);
    const port = await serve(frame, { frameRate: 5 });
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW]);
    v.request(false);
    await v.nextUpdate();
    const changer = setInterval(() => {
      frame.pixels[0] = (frame.pixels[0]! + 1) & 0xffffff;
      server!.markChanged([{ x: 0, y: 0, w: 1, h: 1 }]);
    }, 5);
    let n = 0;
    const started = Date.now();
    while (Date.now() - started < 1500) {
      v.request(true);
      await v.nextUpdate();
      n++;
    }
    clearInterval(changer);
    const seconds = (Date.now() - started) / 1000;
    expect(n).toBeLessThanOrEqual(Math.ceil(5 * seconds) + 1);
    expect(n).toBeGreaterThanOrEqual(2);
    v.close();
  });
});

describe('pixel formats', () => {
  it('serves an 8 bpp colour-map client through a fixed palette', async () => {
    const frame = createFrame(4, 1);
    frame.pixels.set([0xff0000, 0x00ff00, 0x0000ff, 0xffffff]);
    const port = await serve(frame);
    const v = await TestViewer.connect(port);
    v.setPixelFormat({ bpp: 8, depth: 8, trueColour: false });
    v.setEncodings([RAW]);
    v.request(false);
    const m = await v.next();
    expect(m.type).toBe(1);
    expect(m.colourMap!.first).toBe(0);
    expect(m.colourMap!.colours).toHaveLength(256);
    const rects = await v.nextUpdate();
    const idx = [...rects[0]!.payload];
    // Each pixel indexes a palette entry close to the original colour (within one BGR233 step).
    const want: Array<[number, number, number]> = [
      [65535, 0, 0],
      [0, 65535, 0],
      [0, 0, 65535],
      [65535, 65535, 65535],
    ];
    idx.forEach((i, k) => {
      const got = m.colourMap!.colours[i]!;
      for (let c = 0; c < 3; c++) expect(Math.abs(got[c]! - want[k]![c]!)).toBeLessThan(65536 / 3);
    });
    v.close();
  });

  it('closes a client that asks for an impossible pixel format, keeping the others', async () => {
    const port = await serve(gradient(8, 8));
    const good = await TestViewer.connect(port);
    const bad = await TestViewer.connect(port);
    bad.setPixelFormat({ bpp: 24, depth: 24, trueColour: true, max: [255, 255, 255], shift: [16, 8, 0] });
    await bad.sock.waitClosed();
    good.setEncodings([RAW]);
    good.request(false);
    expect(await good.nextUpdate()).toHaveLength(1);
    good.close();
  });
});

describe('pseudo-encodings', () => {
  it('tells a DesktopSize client about a new size, then sends the new area', async () => {
    const port = await serve(gradient(64, 48));
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW, DESKTOP_SIZE]);
    v.request(false);
    await v.nextUpdate();
    server!.setFrame(gradient(100, 30));
    v.request(true);
    const resize = await v.nextUpdate();
    expect(resize.map((r) => [r.encoding, r.w, r.h])).toEqual([[DESKTOP_SIZE, 100, 30]]);
    v.request(true);
    expect((await v.nextUpdate()).map((r) => [r.x, r.y, r.w, r.h])).toEqual([[0, 0, 100, 30]]);
    v.close();
  });

  it('announces a new desktop name to DesktopName clients', async () => {
    const port = await serve(gradient(16, 16), { desktopName: 'before' });
    const v = await TestViewer.connect(port);
    expect(v.name).toBe('before');
    v.setEncodings([RAW, DESKTOP_NAME]);
    v.request(false);
    await v.nextUpdate();
    server!.setDesktopName('after ☺');
    v.request(true);
    const rects = await v.nextUpdate();
    expect(rects[0]!.encoding).toBe(DESKTOP_NAME);
    expect(rects[0]!.payload.toString('utf8')).toBe('after ☺');
    v.close();
  });
});

describe('continuous updates and fences', () => {
  it('signals support, streams changes without requests while enabled, and ends on request', async () => {
    const frame = gradient(64, 64);
    const port = await serve(frame, { frameRate: 60 });
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW, -313, -312]); // ContinuousUpdates, Fence
    expect((await v.next()).type).toBe(150); // EndOfContinuousUpdates: "supported"
    const fence = await v.next();
    expect(fence.type).toBe(248);
    expect(fence.fenceFlags! & 0x80000000).toBeTruthy(); // a request: "fences supported"
    v.fence(0, fence.raw!); // our answer

    v.enableContinuousUpdates(true);
    v.request(false);
    await v.nextUpdate();
    for (let i = 1; i <= 3; i++) {
      frame.pixels[i] = 0xffffff;
      server!.markChanged([{ x: i, y: 0, w: 1, h: 1 }]);
      const rects = await v.nextUpdate(); // no request sent: continuous
      expect(rects.map((r) => [r.x, r.y, r.w, r.h])).toEqual([[i, 0, 1, 1]]);
    }
    v.enableContinuousUpdates(false);
    // Past the fences that follow each update (the link pacer's pings, test/main/rfb/session/pacing.test.ts).
    let end = await v.next();
    for (let i = 0; i < 8 && end.type === 248; i++) end = await v.next();
    expect(end.type).toBe(150);
    v.close();
  });

  it('answers a client fence request with the same payload and only the flags it supports', async () => {
    const port = await serve(gradient(8, 8));
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW, -312]);
    await v.next(); // our own fence request
    v.fence(0x80000000 | 0x7 | 0x100, Buffer.from('abc'));
    const reply = await v.next();
    expect(reply.type).toBe(248);
    expect(reply.fenceFlags).toBe(0x7); // request bit cleared, unknown bit dropped
    expect(reply.raw!.toString()).toBe('abc');
    v.close();
  });
});

describe('backpressure', () => {
  it('a client that stops reading neither delays the others nor makes the server queue without bound', async () => {
    const frame = gradient(1024, 768);
    const port = await serve(frame, { frameRate: 30, maxQueuedBytes: 1 << 20 });
    const stalled = await TestViewer.connect(port);
    stalled.setEncodings([RAW]);
    stalled.request(false);
    stalled.sock.socket.pause(); // reads nothing from now on
    const good = await TestViewer.connect(port);
    good.setEncodings([RAW]);
    good.request(false);
    await good.nextUpdate();
    let t = 0;
    const changer = setInterval(() => {
      frame.pixels.fill(t++ * 0x010101, 0, frame.pixels.length);
      server!.markChanged([{ x: 0, y: 0, w: 1024, h: 768 }]);
    }, 20);
    let updates = 0;
    const started = Date.now();
    while (Date.now() - started < 2000) {
      good.request(true);
      await good.nextUpdate(5000);
      updates++;
    }
    clearInterval(changer);
    expect(updates).toBeGreaterThan(10);
    // 2 s of full 3 MB frames at 30/s would be ~190 MB; the stalled client got at most what fills the
    // socket buffers plus the 1 MiB queue limit and one update.
    const stalledSession = server!.clients.find((s) => s.bytesSent > 0 && s.updatesSent <= 3);
    expect(stalledSession).toBeDefined();
    expect(stalledSession!.bytesSent).toBeLessThan(32 * 1024 * 1024);
    stalled.close();
    good.close();
  }, 20_000);
});

describe('Bell', () => {
  it('reaches every connected client as one Bell message, in order with the other messages', async () => {
    const port = await serve(gradient(32, 32));
    const a = await TestViewer.connect(port);
    const b = await TestViewer.connect(port);
    for (const v of [a, b]) {
      v.setEncodings([RAW]);
      v.request(false);
      await v.nextUpdate();
    }
    server!.ringBell();
    expect((await a.next()).type).toBe(2);
    expect((await b.next()).type).toBe(2);
    a.close();
    b.close();
  });
});
