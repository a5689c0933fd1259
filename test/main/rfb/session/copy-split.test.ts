import { describe, expect, it } from 'vitest';
import type { Rect } from '../../../../src/main/framebuffer/rect.js';
import type { CopyOp } from '../../../../src/main/framebuffer/region.js';
import { splitCopy } from '../../../../src/main/rfb/session/copy-split.js';

const W = 120;
const H = 90;
const GARBAGE = -1;

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % n;
}

/**
 * The client's side: it shows the old picture except in `blocked` (pixels of
 * its own it has not been sent yet: garbage), makes the copies in order (each
 * from its picture as it is then, none reading what an earlier one wrote),
 * then gets `pixels` and `blocked` from the new picture, as the scheduler
 * sends every pending area. Returns its picture.
 */
function clientAfter(oldPic: Int32Array, newPic: Int32Array, blocked: Rect[], copies: CopyOp[], pixels: Rect[]): Int32Array {
  const pic = oldPic.slice();
  for (const b of blocked) for (let y = b.y; y < b.y + b.h; y++) pic.fill(GARBAGE, y * W + b.x, y * W + b.x + b.w);
  const written = new Uint8Array(W * H);
  for (const c of copies) {
    const tmp: number[] = [];
    for (let y = 0; y < c.dst.h; y++)
      for (let x = 0; x < c.dst.w; x++) {
        const i = (c.srcY + y) * W + c.srcX + x;
        if (written[i]) throw new Error(`copy ${JSON.stringify(c)} reads (${c.srcX + x}, ${c.srcY + y}) an earlier copy wrote`);
        tmp.push(pic[i]!);
      }
    for (let y = 0; y < c.dst.h; y++)
      for (let x = 0; x < c.dst.w; x++) {
        const i = (c.dst.y + y) * W + c.dst.x + x;
        pic[i] = tmp[y * c.dst.w + x]!;
        written[i] = 1;
      }
  }
  for (const r of [...pixels, ...blocked]) for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) pic[y * W + x] = newPic[y * W + x]!;
  return pic;
}

describe('splitCopy', () => {
  it('copies what reads only pixels the client has, in a safe order, and sends the rest (property test)', () => {
    const rand = rng(11);
    let cut = 0;
    for (let round = 0; round < 300; round++) {
      // The old picture, and the new one: a rectangle of it moved straight up, down, left or right.
      const oldPic = new Int32Array(W * H).map((_, i) => i * 7 + round);
      const vertical = rand(2) === 0;
      const d = (rand(2) === 0 ? -1 : 1) * (1 + rand(20));
      const w = 20 + rand(60);
      const h = 20 + rand(50);
      const srcX = rand(W - w - (vertical ? 0 : Math.abs(d))) + (!vertical && d < 0 ? -d : 0);
      const srcY = rand(H - h - (vertical ? Math.abs(d) : 0)) + (vertical && d < 0 ? -d : 0);
      const dst = { x: srcX + (vertical ? 0 : d), y: srcY + (vertical ? d : 0), w, h };
      const newPic = oldPic.slice();
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) newPic[(dst.y + y) * W + dst.x + x] = oldPic[(srcY + y) * W + srcX + x]!;
      // What the client lacks: a few rectangles anywhere (in the new picture there is something else there).
      // Mostly over the source, as when the last lines a terminal printed are still on their way.
      const blocked: Rect[] = Array.from({ length: 1 + rand(3) }, () => {
        const bw = 1 + rand(40);
        const bh = 1 + rand(30);
        if (rand(4) === 0) return { x: rand(W - bw), y: rand(H - bh), w: bw, h: bh };
        return { x: Math.min(W - bw, srcX + rand(w)), y: Math.min(H - bh, srcY + rand(h)), w: bw, h: bh };
      });
      for (const b of blocked) for (let y = b.y; y < b.y + b.h; y++) for (let x = b.x; x < b.x + b.w; x++) newPic[y * W + x] = -100 - round;
      const split = splitCopy({ dst, srcX, srcY }, blocked);
      expect(split).not.toBeNull();
      if (split!.copies.length > 0 && split!.pixels.length > 0) cut++;
      const pic = clientAfter(oldPic, newPic, blocked, split!.copies, split!.pixels);
      let wrong = 0;
      for (let y = dst.y; y < dst.y + dst.h; y++) for (let x = dst.x; x < dst.x + dst.w; x++) if (pic[y * W + x] !== newPic[y * W + x]) wrong++;
      expect(wrong, `round ${round}: pixels of the moved rectangle wrong`).toBe(0);
      // What it copies never reads what the client lacks.
      for (const c of split!.copies) for (const b of blocked) expect(c.srcX < b.x + b.w && b.x < c.srcX + c.dst.w && c.srcY < b.y + b.h && b.y < c.srcY + c.dst.h).toBe(false);
    }
    // most rounds really cut the copy: part copied, part sent
    expect(cut).toBeGreaterThan(75);
  });

  it('leaves a diagonal move whole (null): its pieces side by side could read what another wrote', () => {
    expect(splitCopy({ dst: { x: 10, y: 10, w: 30, h: 30 }, srcX: 0, srcY: 0 }, [{ x: 0, y: 0, w: 5, h: 5 }])).toBeNull();
  });

  it('sends a piece too small to be worth a copy as pixels', () => {
    // a scroll up by 10 whose source's top 28 rows are clear, then pending pixels: the clear part is 40×28 = 1120 pixels
    const c = { dst: { x: 0, y: 0, w: 40, h: 60 }, srcX: 0, srcY: 10 };
    const split = splitCopy(c, [{ x: 0, y: 38, w: 40, h: 40 }])!;
    expect(split.copies).toEqual([{ dst: { x: 0, y: 0, w: 40, h: 28 }, srcX: 0, srcY: 10 }]);
    const small = splitCopy(c, [{ x: 0, y: 30, w: 40, h: 40 }])!;
    expect(small.copies).toEqual([]);
    expect(small.pixels).toContainEqual({ x: 0, y: 0, w: 40, h: 20 });
  });
});
