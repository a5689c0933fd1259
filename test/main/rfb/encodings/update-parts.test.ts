import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { UpdateParts } from '../../../../src/main/rfb/encodings/update-parts.js';
import { lendPiece, releasePiece } from '../../../../src/main/rfb/encodings/lent-buffers.js';

const stats = { encoding: 16, pixels: 1, bytes: 12, rawBytes: 4 };
const big = (fill: number) => Buffer.alloc(100_000, fill);

/** head, [payload A], middle, [payload B], end: what every way of finishing must deliver, in this order. */
async function update(parts: UpdateParts, a: Buffer, b: Buffer): Promise<Buffer> {
  parts.target.bytes(Buffer.from('head'));
  parts.rect(stats);
  parts.pending(stats, Promise.resolve(a));
  parts.target.bytes(Buffer.from('middle'));
  parts.pending(stats, new Promise((r) => setTimeout(() => r(b), 5)));
  parts.target.bytes(Buffer.from('end'));
  parts.rect(stats);
  return Buffer.concat([Buffer.from('head'), a, Buffer.from('middle'), b, Buffer.from('end')]);
}

describe('UpdateParts', () => {
  it('into `out` alone: every byte in order', async () => {
    const parts = new UpdateParts();
    const out = new ByteWriter(16);
    parts.start(out);
    const want = await update(parts, big(1), Buffer.from('small'));
    await parts.finish();
    expect(Buffer.from(out.view()).equals(want)).toBe(true);
  });

  it('with a tail: payloads follow `out` as the very buffers made, not copies', async () => {
    const parts = new UpdateParts();
    const out = new ByteWriter(16);
    parts.start(out);
    const a = big(2);
    const b = big(3);
    const want = await update(parts, a, b);
    const tail: Buffer[] = [];
    const figures = await parts.finish(tail);
    expect(Buffer.concat([out.view(), ...tail]).equals(want)).toBe(true);
    expect(tail).toContain(a);
    expect(tail).toContain(b);
    expect(figures.map((f) => f.bytes)).toEqual([12, 12 + a.length, 12 + b.length, 12]);
  });

  it('streamed: big payloads go to `send` as they are, small pieces gathered', async () => {
    const parts = new UpdateParts();
    const out = new ByteWriter(16);
    const sent: Buffer[] = [];
    parts.start(out, (c) => sent.push(c));
    const a = big(4);
    const b = Buffer.from('small payload');
    const want = await update(parts, a, b);
    await Promise.resolve();
    parts.drain();
    await parts.finish();
    expect(Buffer.concat([...sent, out.view()]).equals(want)).toBe(true);
    expect(sent).toContain(a);
  });

  it('not streamed, given its tail at the start: bytes past the header move there in pieces, so `out` stays small, all in order', async () => {
    const parts = new UpdateParts();
    const out = new ByteWriter(16);
    out.bytes(Buffer.from('header'));
    const tail: Buffer[] = [];
    parts.start(out, undefined, tail);
    const written: Buffer[] = [Buffer.from('header')];
    // Rectangles written whole (Hextile's way), 300 KB each, a drain after each as the manager does after a unit.
    for (let i = 0; i < 5; i++) {
      const r = Buffer.alloc(300_000, 10 + i);
      parts.target.bytes(r);
      parts.rect(stats);
      written.push(r);
      parts.drain();
      expect(out.length, 'out after a drain').toBeLessThan(300_000);
    }
    const a = big(20);
    parts.pending(stats, Promise.resolve(a));
    parts.target.bytes(Buffer.from('after'));
    written.push(a, Buffer.from('after'));
    await parts.finish(tail);
    expect(out.view().toString()).toBe('header');
    expect(tail.length).toBeGreaterThan(2);
    expect(Buffer.concat([out.view(), ...tail]).equals(Buffer.concat(written))).toBe(true);
  });

  it('takes the buffers of pieces released after their write for the next pieces', async () => {
    const parts = new UpdateParts();
    const once = async (fill: number): Promise<Buffer[]> => {
      const sent: Buffer[] = [];
      parts.start(new ByteWriter(16), (c) => sent.push(c));
      parts.target.bytes(Buffer.alloc(200_000, fill));
      parts.rect(stats);
      parts.drain();
      await parts.finish();
      return sent;
    };
    const first = await once(1);
    expect(first.length).toBe(1);
    for (const p of first) releasePiece(p);
    const second = await once(2);
    expect(second[0]!.buffer).toBe(first[0]!.buffer);
    expect(second[0]!.equals(Buffer.alloc(200_000, 2))).toBe(true);
    // A buffer not released is not handed out again while its write may still read it.
    const third = await once(3);
    expect(third[0]!.buffer).not.toBe(second[0]!.buffer);
  });

  it('gives back a lent payload (an encode worker\'s slot) once its bytes are copied, and one handed on only when its write is done', async () => {
    const given: string[] = [];
    const lentPayload = (name: string, size: number, fill: number): Buffer => {
      const b = Buffer.from(new SharedArrayBuffer(size)).fill(fill);
      lendPiece(b, () => given.push(name));
      return b;
    };
    // Copied into `out` (no tail, not streamed): given back by the time the update is finished.
    let parts = new UpdateParts();
    const out = new ByteWriter(16);
    parts.start(out);
    const want = await update(parts, lentPayload('a', 100_000, 1), lentPayload('b', 10, 2));
    await parts.finish();
    expect(Buffer.from(out.view()).equals(want)).toBe(true);
    expect(given.sort()).toEqual(['a', 'b']);
    // Streamed: a small payload is copied into a piece (given back at once), a big one is sent as it is (kept until released).
    given.length = 0;
    parts = new UpdateParts();
    const sent: Buffer[] = [];
    parts.start(new ByteWriter(16), (c) => sent.push(c));
    const big2 = lentPayload('big', 100_000, 3);
    await update(parts, big2, lentPayload('small', 10, 4));
    await parts.finish();
    parts.drain(0);
    expect(given).toEqual(['small']);
    expect(sent.some((c) => c === big2)).toBe(true);
    for (const c of sent) releasePiece(c);
    expect(given).toEqual(['small', 'big']);
    // Into a tail: kept until the tail's pieces are written.
    given.length = 0;
    parts = new UpdateParts();
    const tail: Buffer[] = [];
    parts.start(new ByteWriter(16), undefined, tail);
    await update(parts, lentPayload('t1', 100_000, 5), lentPayload('t2', 10, 6));
    await parts.finish(tail);
    expect(given).toEqual([]);
    for (const c of tail) releasePiece(c);
    expect(given.sort()).toEqual(['t1', 't2']);
  });
});
