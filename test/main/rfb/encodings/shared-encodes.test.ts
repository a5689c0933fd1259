import { describe, expect, it } from 'vitest';
import type { Frame } from '../../../../src/main/framebuffer/frame.js';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import { Encoding } from '../../../../src/main/rfb/constants.js';
import { EncodeManager } from '../../../../src/main/rfb/encodings/encode-manager.js';
import { createEncoderState } from '../../../../src/main/rfb/encodings/encoder-state.js';
import { SharedEncodes } from '../../../../src/main/rfb/encodings/shared-encodes.js';
import { PixelConverter } from '../../../../src/main/rfb/pixel-format.js';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { NOVNC_FORMAT, NoVncClient } from '../../../support/novnc-decoder.js';
import { cropRgba, expectedRgba, firstDiff, makeFrame, paint, rng, type FrameKind } from '../../../support/reference-pixels.js';

// Viewers with the same settings share encoded rectangles (one encode, many
// sends). Each viewer's bytes are decoded by noVNC's own decoders, whose
// inflater follows one zlib stream per connection as a real client does: a
// shared chunk that referred to another viewer's history, or an own chunk
// that referred to shared data the own deflater never saw, shows wrong pixels.

const W = 320;
const H = 240;
const FULL: Rect = { x: 0, y: 0, w: W, h: H };

interface Viewer {
  m: EncodeManager;
  client: NoVncClient;
  close(): void;
}

async function viewer(shared: SharedEncodes | null, encodings: number[]): Promise<Viewer> {
  const state = createEncoderState();
  const m = new EncodeManager(state);
  m.setConverter(new PixelConverter(NOVNC_FORMAT));
  m.setEncodings(encodings);
  m.shareThrough(shared);
  const client = await NoVncClient.create(W, H);
  return {
    m,
    client,
    close: () => {
      m.shareThrough(null);
      state.close();
    },
  };
}

/** Encode `rects` for every viewer at once (so some take payloads still being compressed), decode, and check the whole screen. */
async function send(viewers: Viewer[], frame: Frame, rects: (v: number) => Rect[]): Promise<void> {
  const outs = await Promise.all(
    viewers.map(async (v, i) => {
      const out = new ByteWriter();
      const count = await v.m.encodeRects(frame, rects(i), [], out);
      return { count, bytes: out.toBuffer() };
    }),
  );
  viewers.forEach((v, i) => {
    v.client.decodeRects(outs[i]!.bytes, outs[i]!.count, { chunk: 997 });
    const d = firstDiff(cropRgba(v.client.display.rgba, W, FULL), expectedRgba(frame, FULL));
    expect(d, `viewer ${i}: first wrong pixel`).toBe(-1);
  });
}

function change(frame: Frame, shared: SharedEncodes, step: number): Rect[] {
  const r = rng(step * 7919 + 1);
  const kinds: FrameKind[] = ['text', 'noise', 'mixed', 'solid'];
  const rects: Rect[] = [];
  for (let i = 0; i < 3; i++) {
    const w = 16 + Math.floor(r() * 180);
    const h = 16 + Math.floor(r() * 150);
    const rect = { x: Math.floor(r() * (W - w)), y: Math.floor(r() * (H - h)), w, h };
    paint(frame, rect, kinds[(step + i) % kinds.length]!, step * 10 + i);
    rects.push(rect);
  }
  shared.frameChanged();
  return rects;
}

describe('SharedEncodes', () => {
  for (const [label, encodings] of [
    ['ZRLE', [Encoding.ZRLE, -256 + 2]],
    ['Zlib', [Encoding.Zlib]],
    ['Tight', [Encoding.Tight, -256 + 1]],
    ['Hextile', [Encoding.Hextile]],
  ] as const) {
    it(`${label}: viewers that joined at different times take each other's rectangles and all decode exactly`, async () => {
      const shared = new SharedEncodes();
      const frame = makeFrame(W, H, 'mixed', 3);
      const a = await viewer(shared, [...encodings]);
      const b = await viewer(shared, [...encodings]);
      await send([a, b], frame, () => [FULL]);
      for (let step = 1; step <= 4; step++) {
        const rects = change(frame, shared, step);
        await send([a, b], frame, () => rects);
      }
      // A third viewer arrives: its first update is the whole screen, then it keeps in step.
      const c = await viewer(shared, [...encodings]);
      await send([c], frame, () => [FULL]);
      for (let step = 5; step <= 8; step++) {
        const rects = change(frame, shared, step);
        // B lags one step behind now and then: its region differs, so it encodes alone, and must still decode.
        await send([a, b, c], frame, (v) => (v === 1 && step % 2 === 0 ? [...rects, { x: 0, y: 0, w: 64, h: 64 }] : rects));
      }
      expect(shared.hits).toBeGreaterThan(10);
      // Back to one viewer: its own deflater resumes after the shared chunks and still decodes.
      b.close();
      c.close();
      const before = shared.hits;
      for (let step = 9; step <= 11; step++) {
        const rects = change(frame, shared, step);
        await send([a], frame, () => rects);
      }
      expect(shared.hits).toBe(before);
      a.close();
    });
  }

  it('does not share between viewers whose settings differ, nor across a change of the frame', async () => {
    const shared = new SharedEncodes();
    const frame = makeFrame(W, H, 'text', 9);
    const z = await viewer(shared, [Encoding.ZRLE]);
    const h = await viewer(shared, [Encoding.Hextile]);
    await send([z, h], frame, () => [FULL]);
    expect(shared.hits).toBe(0);
    const z2 = await viewer(shared, [Encoding.ZRLE]);
    await send([z2], frame, () => [FULL]);
    const rects = change(frame, shared, 1);
    await send([z], frame, () => rects);
    paint(frame, rects[0]!, 'noise', 99);
    shared.frameChanged();
    // Same rectangles, new pixels: z2 must not get what z encoded before the change.
    await send([z2], frame, () => rects);
    expect(shared.hits).toBe(0);
    for (const v of [z, h, z2]) v.close();
  });
});
