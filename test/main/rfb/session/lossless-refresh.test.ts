import { afterEach, describe, expect, it } from 'vitest';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import { LosslessRefresh, REFRESH_AFTER_MS, refreshDelay } from '../../../../src/main/rfb/session/lossless-refresh.js';
import { NoVncViewer } from '../../../support/novnc-viewer.js';
import { photoFrame } from '../../../support/photo-frame.js';

const QUALITY_6 = -32 + 6;

describe('LosslessRefresh', () => {
  it('is due once the desktop has been still long enough, and only for what went lossy', () => {
    let now = 1000;
    const r = new LosslessRefresh(() => now, REFRESH_AFTER_MS);
    r.reset(256, 256);
    expect(r.dueIn()).toBeNull();
    r.sentLossy([{ x: 10, y: 10, w: 100, h: 50 }]);
    expect(r.dueIn()).toBe(REFRESH_AFTER_MS);
    now += REFRESH_AFTER_MS - 1;
    expect(r.dueIn()).toBe(1);
    r.changed(); // still moving: wait again
    expect(r.dueIn()).toBe(REFRESH_AFTER_MS);
    now += REFRESH_AFTER_MS;
    expect(r.dueIn()).toBe(0);
    const taken = r.take({ x: 0, y: 0, w: 256, h: 256 });
    const area = (x: number, y: number) => taken.some((t) => x >= t.x && x < t.x + t.w && y >= t.y && y < t.y + t.h);
    expect(area(10, 10) && area(109, 59)).toBe(true);
    expect(area(200, 200)).toBe(false);
    expect(r.dueIn()).toBeNull();
  });

  it('is off with TRAYVNC_LOSSLESS_REFRESH_MS=0, and takes other delays from it', () => {
    expect(refreshDelay({ TRAYVNC_LOSSLESS_REFRESH_MS: '0' })).toBe(0);
    expect(refreshDelay({ TRAYVNC_LOSSLESS_REFRESH_MS: '1500' })).toBe(1500);
    expect(refreshDelay({ TRAYVNC_LOSSLESS_REFRESH_MS: 'soon' })).toBe(REFRESH_AFTER_MS);
    expect(refreshDelay({})).toBe(REFRESH_AFTER_MS);
    const off = new LosslessRefresh(() => 0, 0);
    off.reset(64, 64);
    off.sentLossy([{ x: 0, y: 0, w: 8, h: 8 }]);
    expect(off.dueIn()).toBeNull();
  });
});

describe('lossless refresh of JPEG areas (real server, noVNC decoders)', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  /** A server showing a 320×200 photo, and a noVNC-decoding viewer of it asking for Tight at JPEG quality 6. */
  async function servePhoto(seed: number) {
    const frame = photoFrame(320, 200, seed);
    const server = new RfbServer({ password: null, handshakeTimeoutMs: 5000 });
    closers.push(() => server.close());
    server.setFrame(frame);
    const { port } = await server.listen(0, '127.0.0.1');
    const v = await NoVncViewer.connect({ port, encodings: [Encoding.Tight, QUALITY_6] });
    closers.push(() => v.close());
    return { frame, server, v };
  }

  it('a photo sent as JPEG is sent again exactly once the desktop is still, in one update', async () => {
    const { frame, v } = await servePhoto(3);

    await v.settle(1, 8000, 50);
    const first = v.updates;
    // The first picture: the photo as JPEG, so it differs from the frame somewhere.
    expect(v.display.images.jpeg).toBeGreaterThan(0);
    const differing = () => {
      const got = v.pixels();
      let n = 0;
      for (let i = 0; i < got.length; i++) if (got[i] !== frame.pixels[i]) n++;
      return n;
    };
    expect(differing()).toBeGreaterThan(0);

    // Nothing changes; after the refresh delay one more update makes every pixel exact.
    await v.settle(1, 8000, REFRESH_AFTER_MS + 300);
    expect(differing()).toBe(0);
    expect(v.updates - first).toBe(1);
    // And then nothing more: the refresh is not repeated.
    const after = v.updates;
    await new Promise((r) => setTimeout(r, REFRESH_AFTER_MS * 2));
    expect(v.updates).toBe(after);
  });

  it('a refresh waiting for the desktop to be still does not hold back the changes that keep it from being still', async () => {
    // A long refresh delay, so a change held back until the refresh timer fired would show.
    const before = process.env['TRAYVNC_LOSSLESS_REFRESH_MS'];
    process.env['TRAYVNC_LOSSLESS_REFRESH_MS'] = '8000';
    try {
      const { frame, server, v } = await servePhoto(4);
      await v.settle(1, 8000, 100); // the JPEG picture; a refresh is now due in 8 s
      for (let k = 0; k < 3; k++) {
        const n = v.updates;
        const area = { x: 10 + k * 40, y: 40, w: 30, h: 30 };
        for (let y = area.y; y < area.y + area.h; y++) frame.pixels.fill(0x102030 * (k + 1), y * frame.stride + area.x, y * frame.stride + area.x + area.w);
        server.markChanged([area]);
        const t0 = Date.now();
        while (v.updates === n && Date.now() - t0 < 6000) await new Promise((r) => setTimeout(r, 10));
        expect(Date.now() - t0, 'the change went out long before the refresh delay').toBeLessThan(4000);
      }
    } finally {
      if (before === undefined) delete process.env['TRAYVNC_LOSSLESS_REFRESH_MS'];
      else process.env['TRAYVNC_LOSSLESS_REFRESH_MS'] = before;
    }
  });
});
