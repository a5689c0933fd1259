import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../src/main/rfb/wire.js';
import { UpdateParts } from '../../../../src/main/rfb/encodings/update-parts.js';

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
});
