/**
 * The encode workers on real worker threads (the built worker script), their
 * payloads decoded by noVNC's ZRLE decoder (an independent implementation).
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { EncodeWorkers } from '../../../../src/main/rfb/encodings/encode-workers.js';
import { releasePiece } from '../../../../src/main/rfb/encodings/lent-buffers.js';
import { encodeInto } from '../../../../src/main/rfb/encodings/encoder.js';
import { ZrleEncoder } from '../../../../src/main/rfb/encodings/zrle.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { busyDesktop, paint } from '../../../support/reference-pixels.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { cropRgba, expectedRgba, firstDiff } from '../../../support/reference-pixels.js';
import { photoFrame } from '../../../support/photo-frame.js';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';

const conv = new PixelConverter(NOVNC_FORMAT);
const pools: EncodeWorkers[] = [];
afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
});

function pool(slotBytes?: number): EncodeWorkers {
  const p = EncodeWorkers.create(2, slotBytes);
  if (!p) throw new Error('no encode worker script: the test command builds dist/ first');
  pools.push(p);
  return p;
}

/** A client whose ZRLE stream has begun (a first rectangle encoded here, with the zlib header), as the workers' chunks require. */
async function begunClient(frame: Frame): Promise<NoVncClient> {
  const first = { x: 0, y: 0, w: 8, h: 8 };
  const state = createEncoderState();
  const out = new ByteWriter();
  out.u16(0).u16(0).u16(8).u16(8).s32(Encoding.ZRLE);
  await encodeInto(new ZrleEncoder(), { rect: first, pixels: conv.convertRect(frame, first), converter: conv, state }, out);
  state.close();
  const client = await NoVncClient.create(frame.width, frame.height);
  client.decodeRects(out.view(), 1);
  return client;
}

function rectBytes(r: Rect, payload: Uint8Array): Uint8Array {
  const out = new ByteWriter();
  out.u16(r.x).u16(r.y).u16(r.w).u16(r.h).s32(Encoding.ZRLE).bytes(payload);
  return out.view();
}

function expectPixels(client: NoVncClient, frame: Frame, r: Rect): void {
  const d = firstDiff(cropRgba(client.display.rgba, client.display.width, r), expectedRgba(frame, r, 24));
  expect(d, `first wrong pixel at index ${d}`).toBe(-1);
}

describe('EncodeWorkers', () => {
  const frame = photoFrame(640, 400, 3);
  const units: Rect[] = [0, 1, 2, 3].map((i) => ({ x: 0, y: i * 100, w: 640, h: 100 }));

  async function runUnits(p: EncodeWorkers, scribble: boolean, busy = false, pooled = false): Promise<Buffer[]> {
    const client = await begunClient(frame);
    const scratch = new Uint32Array(640 * 100);
    // All jobs in flight at once, the caller's buffer reused (and, with `scribble`, spoilt) as soon as each is handed over.
    const payloads = units.map((r) => {
      const px = conv.convertRect(frame, r, scratch);
      const job = p.run({ encoding: Encoding.ZRLE, pf: conv.pf, level: 2, w: r.w, h: r.h, busy }, px, null, pooled).then((res) => res.payload);
      if (scribble) scratch.fill(0x00ff00ff);
      return job;
    });
    const done = await Promise.all(payloads);
    for (const [i, payload] of done.entries()) {
      client.decodeRects(rectBytes(units[i]!, payload), 1, { chunk: 4093 });
      expectPixels(client, frame, units[i]!);
    }
    return done;
  }

  it('encodes units on worker threads through shared slots; the caller may reuse its pixels at once', async () => {
    const p = pool();
    expect(p.size).toBe(2);
    await runUnits(p, true);
    // Four units in flight took four slots; a second round reuses them.
    const made = p.slotBytes;
    expect(made).toBeGreaterThan(0);
    await runUnits(p, true);
    expect(p.slotBytes).toBe(made);
  });

  it('encodes areas that keep changing (busy: Huffman coding alone for photo tiles) as exactly', async () => {
    await runUnits(pool(), false, true);
  });

  it('writes pooled payloads into shared memory that is used again only once each is released (written)', async () => {
    const p = pool();
    const first = await runUnits(p, true, true, true);
    for (const b of first) expect(b.buffer).toBeInstanceOf(SharedArrayBuffer);
    const copies = first.map((b) => Buffer.from(b));
    // Not released yet (a socket write may still read them): the next payloads go elsewhere, these stay as they are.
    const second = await runUnits(p, false, false, true);
    for (const b of second) expect(first.some((a) => a.buffer === b.buffer)).toBe(false);
    for (const [i, b] of first.entries()) expect(b.equals(copies[i]!)).toBe(true);
    for (const b of [...first, ...second]) expect(releasePiece(b)).toBe(true);
    expect(releasePiece(first[0]!)).toBe(false); // once only
    const third = await runUnits(p, true, true, true);
    for (const b of third) expect([...first, ...second].some((a) => a.buffer === b.buffer)).toBe(true);
    // Without `pooled` (a payload other viewers may send too): a buffer of its own, as before.
    for (const b of await runUnits(p, false)) expect(b.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('copies the pixels of its own when the shared memory is used up', async () => {
    const p = pool(1 << 18); // room for one 64 Ki-pixel slot: three of the four jobs go without
    await runUnits(p, true);
    expect(p.slotBytes).toBe(1 << 18);
  });

  it('runs only the encodings it loads (ZRLE, TRLE, Tight): another fails with the reason, and the pool goes on', async () => {
    const p = pool();
    const px = conv.convertRect(frame, units[0]!);
    await expect(p.run({ encoding: Encoding.Hextile, pf: conv.pf, level: 2, w: 640, h: 100 }, px)).rejects.toThrow(/not one the encode workers run/);
    expect(p.size).toBe(2);
    await runUnits(p, false);
  });

  it('sends Tight units to the workers from the first frame on (its streams begun by small rectangles of their own): noVNC decodes it, changes made here after it, and another frame exactly', async () => {
    const p = pool();
    const runs = vi.spyOn(p, 'run');
    const big = busyDesktop(1280, 720);
    const full = { x: 0, y: 0, w: 1280, h: 720 };
    const state = createEncoderState();
    const m = new EncodeManager(state);
    m.setConverter(conv);
    m.setEncodings([Encoding.Tight]);
    m.offloadTo(p);
    const client = await NoVncClient.create(1280, 720);
    const send = async (rects: Rect[]): Promise<void> => {
      const out = new ByteWriter();
      const tail: Buffer[] = [];
      const count = await m.encodeRects(big, rects, [], out, undefined, undefined, tail);
      client.decodeRects(Buffer.concat([out.toBuffer(), ...tail]), count, { chunk: 4093 });
      for (const r of rects) {
        const d = firstDiff(cropRgba(client.display.rgba, 1280, r), expectedRgba(big, r, 24));
        expect(d, `first wrong pixel in ${JSON.stringify(r)}`).toBe(-1);
      }
    };
    try {
      // The connection's first frame: rectangles made here begin the streams the workers' chunks continue.
      await send([full]);
      expect(runs.mock.calls.length, 'units sent to the workers').toBeGreaterThan(0);
      // Small changes stay on this thread, whose deflaters must not refer back past the workers' chunks.
      const small = [
        { x: 8, y: 8, w: 96, h: 40 },
        { x: 600, y: 300, w: 120, h: 64 },
      ];
      for (const [i, r] of small.entries()) paint(big, r, i === 0 ? 'text' : 'noise');
      const before = runs.mock.calls.length;
      await send(small);
      expect(runs.mock.calls.length, 'small changes encoded here').toBe(before);
      await send(small);
      await send([full]);
    } finally {
      state.close();
    }
  });
});
