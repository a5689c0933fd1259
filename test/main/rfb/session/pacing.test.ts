import { afterEach, describe, expect, it } from 'vitest';
import { PseudoEncoding } from '../../../../src/main/rfb/constants.js';
import { RfbServer } from '../../../../src/main/rfb/server.js';
import { ClientParams } from '../../../../src/main/rfb/session/client-params.js';
import { MIN_WINDOW_BYTES } from '../../../../src/main/rfb/session/link-pacer.js';
import { Pacing, pacingEnabled } from '../../../../src/main/rfb/session/pacing.js';
import { createFrame } from '../../../../src/main/framebuffer/frame.js';
import { TestViewer } from '../../../support/test-viewer.js';

const RAW = 0;
const QUALITY_7 = -32 + 7;

describe('Pacing', () => {
  function paced(encodings: number[], enabled = true) {
    const params = new ClientParams();
    params.encodings = encodings;
    const clock = { now: 0 };
    return { params, clock, pacing: new Pacing(params, enabled, () => clock.now) };
  }

  /** One update of `bytes` at `pos` and its fence answered `ms` later; the position after it. */
  function exchange(p: Pacing, clock: { now: number }, pos: number, bytes: number, ms: number): number {
    const ping = p.afterUpdate(pos + bytes, bytes)!;
    clock.now += ms;
    expect(p.reply(ping.subarray(9))).toBe(true);
    return pos + bytes + ping.length;
  }

  it('paces only clients that take fences, and only while it is on', () => {
    expect(paced([RAW]).pacing.active).toBe(false);
    expect(paced([RAW, PseudoEncoding.Fence], false).pacing.active).toBe(false);
    const { pacing } = paced([RAW, PseudoEncoding.Fence]);
    expect(pacing.active).toBe(true);
    expect(paced([RAW]).pacing.afterUpdate(1000, 1000)).toBeNull(); // no fences for a client that cannot answer them
    expect(paced([RAW]).pacing.info(0)).toBeNull();
    expect(pacingEnabled({})).toBe(true);
    expect(pacingEnabled({ TRAYVNC_PACING: '0' })).toBe(false);
    expect(pacingEnabled({ TRAYVNC_PACING: 'off' })).toBe(false);
    expect(pacingEnabled({ TRAYVNC_PACING: '1' })).toBe(true);
  });

  it('sends a fence of its own when the window is full and none is on its way, so that a reply opens it again', () => {
    const { pacing, clock } = paced([RAW, PseudoEncoding.Fence]);
    pacing.start(0);
    // A slow link: 10 KB in 100 ms, 100 KB/s, a window of the floor.
    let pos = exchange(pacing, clock, 0, 10_000, 100);
    expect(pacing.info(pos)!.windowBytes).toBe(MIN_WINDOW_BYTES);
    expect(pacing.mayUpdate(pos)).toBe(true);
    // A big clipboard text goes out between updates: no fence follows it.
    pos += 1_000_000;
    expect(pacing.mayUpdate(pos)).toBe(false);
    const ping = pacing.pingWhileHeld(pos)!;
    expect(ping).not.toBeNull();
    expect(pacing.pingWhileHeld(pos + ping.length)).toBeNull(); // one on its way is enough
    clock.now += 10_000;
    pacing.reply(ping.subarray(9));
    expect(pacing.mayUpdate(pos + ping.length)).toBe(true);
  });

  it('lowers the JPEG quality the encoders see while the window holds updates back, and raises it again with room', () => {
    const { pacing, clock } = paced([7, QUALITY_7, PseudoEncoding.Fence]);
    pacing.start(0);
    let pos = exchange(pacing, clock, 0, 20_000, 100); // 200 KB/s
    // Held back for whole periods: one level down each, to 7 − 5 = 2.
    for (let i = 0; i < 8; i++) {
      pos += 200_000;
      expect(pacing.mayUpdate(pos)).toBe(false);
      clock.now += 1000;
      pacing.adapt();
      pos = exchange(pacing, clock, pos, 1000, 1);
    }
    expect(pacing.encodings()).toEqual([7, -32 + 2, PseudoEncoding.Fence]);
    expect(pacing.info(pos)!.jpegQuality).toEqual({ scale: 'level', asked: 7, used: 2 });
    // Then quiet, light use: back up a level every two periods, never above 7.
    for (let i = 0; i < 30; i++) {
      clock.now += 1000;
      pos = exchange(pacing, clock, pos, 1000, 1);
      pacing.adapt();
    }
    expect(pacing.encodings()).toEqual([7, QUALITY_7, PseudoEncoding.Fence]);
  });
});

describe('pacing on the wire', () => {
  let server: RfbServer | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('follows each update with a BlockBefore fence whose reply it measures, and still answers the client own fences', async () => {
    server = new RfbServer({ password: null, frameRate: 60, pacing: true });
    const frame = createFrame(32, 32);
    server.setFrame(frame);
    const { port } = await server.listen(0, '127.0.0.1');
    const v = await TestViewer.connect(port);
    v.setEncodings([RAW, PseudoEncoding.Fence, PseudoEncoding.ContinuousUpdates]);
    v.request(false);
    const seen: number[] = [];
    let ping: { flags: number; payload: Buffer } | null = null;
    for (let i = 0; i < 6 && !ping; i++) {
      const m = await v.next();
      seen.push(m.type);
      if (m.type === 248 && m.raw!.length === 8) ping = { flags: m.fenceFlags!, payload: m.raw! };
    }
    // EndOfContinuousUpdates and the fence announcing support, the update, then our ping.
    expect(seen).toEqual([150, 248, 0, 248]);
    expect(ping!.flags).toBe((0x80000000 | 0x1) >>> 0);
    const session = server.clients[0]!;
    expect(session.pacing!.rttMs).toBeNull();
    // The client asks for a fence of its own, then answers ours (flags without the request bit, as noVNC does).
    v.fence(0x80000000 | 0x1, Buffer.from('mine'));
    const reply = await v.next();
    expect([reply.type, reply.fenceFlags, reply.raw!.toString()]).toEqual([248, 0x1, 'mine']);
    v.fence(ping!.flags & 0x3, ping!.payload);
    const deadline = Date.now() + 5000;
    while (session.pacing!.rttMs === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const info = session.pacing!;
    expect(info.rttMs).not.toBeNull();
    expect(info.bandwidth).toBeGreaterThan(0);
    expect(info.windowBytes).toBeGreaterThanOrEqual(MIN_WINDOW_BYTES);
    expect(info.jpegQuality).toBeNull(); // it asked for no JPEG
    // A reply is no request: nothing came back for it, and updates still flow.
    frame.pixels[0] = 0xffffff;
    server.markChanged([{ x: 0, y: 0, w: 1, h: 1 }]);
    v.enableContinuousUpdates(true);
    const next = await v.next();
    expect(next.type).toBe(0);
    v.close();
  });
});
