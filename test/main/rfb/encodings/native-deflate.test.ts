/**
 * The system zlib's deflate (native/zlib-deflate): built and loaded here, the
 * system's zlib and not the copy inside Node, and its chunks continue a zlib
 * stream as the encoders' independent chunks must, checked by inflating with
 * Node's own zlib (a different implementation of the other side).
 */
import { execFileSync } from 'node:child_process';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { nativeDeflate, NATIVE_DEFLATE_PATH } from '../../../../src/main/rfb/encodings/native-deflate.js';
import { compressIndependentSync, strategyFor } from '../../../../src/main/rfb/encodings/zlib-stream.js';
import { prng } from '../../../support/prng.js';

/** Three-byte pixels of a smooth gradient with noise, as ZRLE's raw tiles of a photo-like screen. */
function photoPixels(w: number, h: number, seed: number): Buffer {
  const next = prng(seed);
  const out = Buffer.alloc(w * h * 3);
  let o = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Neighbouring pixels often repeat (plateaus of 1-4 px), as in a scaled or noisy photo.
      const n = next() < 0.6 && o >= 3 ? -1 : Math.floor(next() * 6);
      if (n < 0) {
        out.copyWithin(o, o - 3, o);
      } else {
        out[o] = (x + n) & 255;
        out[o + 1] = (y + 2 * n) & 255;
        out[o + 2] = ((x + y) >> 1) & 255;
      }
      o += 3;
    }
  }
  return out;
}

const native = nativeDeflate;

describe.runIf(process.platform !== 'win32')('native deflate', () => {
  it('is built and loads the system zlib, not the one inside Node', () => {
    expect(native, `no addon at ${NATIVE_DEFLATE_PATH}: npm run build:native`).not.toBeNull();
    // Node exports its zlib's symbols: an addon linked to the shared libz would bind to Node's instead.
    expect(native!.zlibVersion()).not.toBe(process.versions.zlib);
  });

  it('makes chunks that continue a zlib stream begun elsewhere, each on its own', () => {
    const parts = [photoPixels(200, 50, 1), Buffer.from('text '.repeat(3000)), Buffer.alloc(0), photoPixels(64, 64, 2), Buffer.alloc(70_000, 7)];
    // The stream's first chunk (with the zlib header) from Node's deflate, sync-flushed, as a connection's own stream makes it.
    const head = zlib.deflateSync(Buffer.from('first'), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const chunks = parts.map((p, i) => native!.deflateRawChunk(p, 1 + (i % 9), 1 + ((i * 4) % 9), i % 2 === 0 ? zlib.constants.Z_DEFAULT_STRATEGY : zlib.constants.Z_HUFFMAN_ONLY));
    for (const c of chunks) expect(c.subarray(-4).toString('hex')).toBe('0000ffff'); // each ends in a sync flush
    const inflated = zlib.inflateSync(Buffer.concat([head, ...chunks]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(inflated.equals(Buffer.concat([Buffer.from('first'), ...parts]))).toBe(true);
    // Any order: no chunk refers to what went before it.
    const reordered = zlib.inflateSync(Buffer.concat([head, chunks[3]!, chunks[0]!]), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(reordered.equals(Buffer.concat([Buffer.from('first'), parts[3]!, parts[0]!]))).toBe(true);
  });

  it('finds the one-pixel matches Node\'s zlib misses in three-byte pixels: fewer bytes at the same level', () => {
    const px = photoPixels(480, 270, 3);
    const ours = native!.deflateRawChunk(px, 2, 5, zlib.constants.Z_DEFAULT_STRATEGY);
    const nodes = zlib.deflateRawSync(px, { level: 2, memLevel: 5 });
    expect(ours.length).toBeLessThan(nodes.length * 0.95);
  });

  it('takes deflateTune settings and leaves room for a length in front', () => {
    const px = photoPixels(300, 100, 5);
    const plain = native!.deflateRawChunk(px, 2, 8, 0);
    const tuned = native!.deflateRawChunk(px, 2, 8, 0, [4, 6, 16, 4], 4);
    expect(tuned.subarray(0, 4).toString('hex')).toBe('00000000');
    expect(zlib.inflateRawSync(tuned.subarray(4), { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(px)).toBe(true);
    // Matches up to two pixels inserted (maxLazy 6, the tune level 2 gets) find more than level 2's own 5.
    expect(tuned.length - 4).toBeLessThan(plain.length);
    // The tune is for that chunk only: the next without one is level 2's own again.
    expect(native!.deflateRawChunk(px, 2, 8, 0).equals(plain)).toBe(true);
  });

  it('writes the same chunk into memory the caller gives (shared memory too), or nothing when it would not fit', () => {
    const px = photoPixels(300, 100, 6);
    for (const [level, mem, strategy, tune] of [[2, 7, 0, [4, 6, 16, 4]], [1, 8, zlib.constants.Z_HUFFMAN_ONLY, null]] as const) {
      const want = native!.deflateRawChunk(px, level, mem, strategy, tune, 4);
      const into = new Uint8Array(new SharedArrayBuffer(want.length + 100)).fill(0xee);
      expect(native!.deflateRawChunkInto(px, level, mem, strategy, tune, 4, into)).toBe(want.length);
      expect(Buffer.from(into.subarray(0, want.length)).equals(want)).toBe(true);
      expect(into[want.length]).toBe(0xee); // nothing past it
      const small = new Uint8Array(want.length - 1).fill(0xee);
      expect(native!.deflateRawChunkInto(px, level, mem, strategy, tune, 4, small)).toBe(-1);
      expect(small.every((b) => b === 0xee)).toBe(true);
    }
    expect(() => native!.deflateRawChunkInto(px, 2, 8, 0, null, 0, new Uint16Array(8) as unknown as Uint8Array)).toThrow(/into must be a Uint8Array/);
  });

  it('refuses bad arguments with a reason, and goes on working', () => {
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 10, 8, 0)).toThrow(/level must be 0..9/);
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 2, 0, 0)).toThrow(/memLevel must be 1..9/);
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 2, 8, 5)).toThrow(/strategy must be 0..4/);
    expect(() => native!.deflateRawChunk(new Uint16Array(4) as unknown as Uint8Array, 2, 8, 0)).toThrow(/must be a Uint8Array/);
    expect(() => (native!.deflateRawChunk as unknown as (a: Uint8Array) => Buffer)(Buffer.alloc(4))).toThrow(/four arguments/);
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 2, 8, 0, [1, 2, 3] as unknown as [number, number, number, number])).toThrow(/tune must be/);
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 2, 8, 0, [4, 6, 999, 4])).toThrow(/tune values out of range/);
    expect(() => native!.deflateRawChunk(Buffer.alloc(4), 2, 8, 0, null, 65)).toThrow(/prefix must be 0..64/);
    const back = zlib.inflateRawSync(native!.deflateRawChunk(Buffer.from('still here'), 2, 8, 0), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(back.toString()).toBe('still here');
  });

  it('TRAYVNC_NATIVE_DEFLATE=0 turns it off (Node\'s zlib then makes the same kind of chunk)', () => {
    const script = `import('${new URL('../../../../dist/main/rfb/encodings/native-deflate.js', import.meta.url).href}').then((m) => console.log(m.nativeDeflate === null))`;
    expect(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TRAYVNC_NATIVE_DEFLATE: '0' }, encoding: 'utf8' }).trim()).toBe('true');
    expect(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TRAYVNC_NATIVE_DEFLATE: '' }, encoding: 'utf8' }).trim()).toBe('false');
  });
});

describe('deflate strategy for photo-like chunks', () => {
  const { Z_HUFFMAN_ONLY, Z_DEFAULT_STRATEGY } = zlib.constants;
  it('the system zlib searches strings in photo tiles that stay; Huffman coding alone for those that keep changing', () => {
    expect(strategyFor('photo', 2, true)).toBe(Z_DEFAULT_STRATEGY);
    expect(strategyFor('moving-photo', 2, true)).toBe(Z_HUFFMAN_ONLY);
    expect(strategyFor(undefined, 2, true)).toBe(Z_DEFAULT_STRATEGY);
  });
  it("Node's zlib codes all photo tiles with Huffman alone; a client asking for level 6 and up gets string search", () => {
    expect(strategyFor('photo', 2)).toBe(Z_HUFFMAN_ONLY);
    expect(strategyFor('moving-photo', 2)).toBe(Z_HUFFMAN_ONLY);
    expect(strategyFor('photo', 6)).toBe(Z_DEFAULT_STRATEGY);
    expect(strategyFor('moving-photo', 6, true)).toBe(Z_DEFAULT_STRATEGY);
  });
  it('compressIndependentSync makes a chunk that inflates back, whichever deflater', () => {
    const px = photoPixels(100, 40, 9);
    for (const hint of [undefined, 'photo', 'moving-photo'] as const) {
      for (const level of [1, 2, 6]) {
        const out = compressIndependentSync(px, level, 5, hint);
        expect(zlib.inflateRawSync(out, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(px)).toBe(true);
        const prefixed = compressIndependentSync(px, level, 5, hint, 4);
        expect(prefixed.subarray(4).equals(out)).toBe(true);
        // Into memory given: a view of it with the same bytes (the system zlib), or a buffer of its own.
        const slot = new Uint8Array(new SharedArrayBuffer(px.length * 2));
        const into = compressIndependentSync(px, level, 5, hint, 4, slot);
        expect(into.equals(prefixed)).toBe(true);
        expect(into.buffer === slot.buffer).toBe(native !== null);
        expect(compressIndependentSync(px, level, 5, hint, 4, new Uint8Array(8)).equals(prefixed)).toBe(true);
      }
    }
  });
});
