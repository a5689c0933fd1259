import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../src/main/rfb/wire.js';
import { bytes } from '../../support/bytes.js';

/*
 * Expected bytes come from the Bytes builder (test/support/bytes.ts), which
 * spells out network byte order field by field, never from ByteWriter itself.
 * Capacity is private; raw(0) hands out the underlying buffer, so its identity
 * and length are how these tests observe (re)allocation.
 */

/** The underlying buffer, without asking for more room. */
const backing = (w: ByteWriter): Buffer => w.raw(0);

describe('ByteWriter integers', () => {
  it('writes u8, u16, u32 and s32 big-endian, as RFC 6143 §7 specifies for every multi-byte integer', () => {
    const w = new ByteWriter(64);
    w.u8(0x01).u16(0x0203).u32(0x04050607).s32(-2).s32(0x7fffffff).u32(0xfedcba98);
    expect(w.toBuffer()).toEqual(
      bytes()
        .u8(0x01) // U8
        .u16(0x0203) // U16
        .u32(0x04050607) // U32
        .raw([0xff, 0xff, 0xff, 0xfe]) // S32 −2, two's complement
        .raw([0x7f, 0xff, 0xff, 0xff]) // S32 max
        .raw([0xfe, 0xdc, 0xba, 0x98]) // U32 with the top bit set
        .build(),
    );
    expect(w.length).toBe(1 + 2 + 4 + 4 + 4 + 4);
  });

  it('keeps only the low bits of out-of-range values instead of throwing', () => {
    // Callers pass computed values (e.g. negative encodings to u32, lengths to u16); they must wrap, not throw.
    const w = new ByteWriter(16);
    w.u8(0x1ff).u16(0x12345).u32(-1).s32(0x80000000);
    expect(w.toBuffer()).toEqual(
      bytes()
        .u8(0xff) // 0x1ff → low byte
        .u16(0x2345) // 0x12345 → low 16 bits
        .raw([0xff, 0xff, 0xff, 0xff]) // −1 as U32
        .raw([0x80, 0x00, 0x00, 0x00]) // 2^31 as S32 is −2^31
        .build(),
    );
  });

  it('appends raw bytes and zero padding, zeroing memory that held earlier bytes', () => {
    const w = new ByteWriter(8);
    w.bytes(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]));
    w.reset(); // the same memory now holds 0xff: pad must write zeros, not skip ahead
    w.u8(7).pad(3).bytes(new Uint8Array([9, 8])).pad(0);
    expect(w.toBuffer()).toEqual(bytes().u8(7).pad(3).raw([9, 8]).build());
  });
});

describe('ByteWriter growth', () => {
  it.each([0, 1, 3])('keeps every earlier byte across many doublings from an initial capacity of %i', (initial) => {
    const w = new ByteWriter(initial);
    const want = bytes();
    // Mixed widths so copies happen at odd lengths; ~30 KB is a dozen doublings from 1 byte.
    for (let i = 0; i < 3000; i++) {
      w.u8(i).u16(i * 3).u32(i * 0x01010101).s32(-i).pad(1);
      want.u8(i).u16(i * 3).u32(i * 0x01010101).s32(-i).pad(1);
    }
    expect(w.length).toBe(3000 * 12);
    expect(w.toBuffer().equals(want.build())).toBe(true);
  });

  it('grows at least twofold for small writes', () => {
    const w = new ByteWriter(16);
    w.pad(16);
    const before = backing(w);
    w.u8(1);
    const after = backing(w);
    expect(after).not.toBe(before);
    expect(after.length).toBe(32);
  });

  it('meets a request past double the capacity with exactly one allocation of exactly the size needed', () => {
    const w = new ByteWriter(16);
    w.u32(0xdeadbeef);
    const start = w.ensure(100_000);
    expect(start).toBe(4); // where the caller's bytes go: after what was written
    const grown = backing(w);
    expect(grown.length).toBe(4 + 100_000);
    expect(grown.subarray(0, 4)).toEqual(bytes().u32(0xdeadbeef).build());
    // Filling exactly what was asked for must not allocate again.
    for (let i = 0; i < 100_000; i++) w.u8(i);
    expect(backing(w)).toBe(grown);
    expect(w.length).toBe(100_004);
  });

  it('does not reallocate when the room already exists', () => {
    const w = new ByteWriter(64);
    const first = backing(w);
    expect(w.ensure(64)).toBe(0);
    w.pad(60);
    expect(w.ensure(4)).toBe(60);
    expect(backing(w)).toBe(first);
  });
});

describe('ByteWriter reserve and patch', () => {
  it('back-fills reserved fields with big-endian values, leaving the bytes around them alone', () => {
    const w = new ByteWriter(4);
    w.u8(0xaa);
    const at32 = w.reserve(4);
    const at16 = w.reserve(2);
    const at8 = w.reserve(1);
    w.u8(0xbb);
    expect([at32, at16, at8]).toEqual([1, 5, 7]);
    expect(w.length).toBe(9);
    w.patchU32(at32, 0x01020304);
    w.patchU16(at16, 0x0506);
    w.patchU8(at8, 0x107); // wraps to 0x07
    expect(w.toBuffer()).toEqual(bytes().u8(0xaa).u32(0x01020304).u16(0x0506).u8(0x07).u8(0xbb).build());
  });

  it('keeps a patch made before growth when the buffer is later reallocated', () => {
    const w = new ByteWriter(2);
    const at = w.reserve(2); // e.g. a FramebufferUpdate's rectangle count
    w.patchU16(at, 0xbeef);
    w.pad(1000); // several reallocations
    expect(w.toBuffer().subarray(0, 2)).toEqual(bytes().u16(0xbeef).build());
  });
});

describe('ByteWriter raw and advance', () => {
  it('hands out a buffer with room for n bytes at `length`, and advance() commits what was written there', () => {
    const w = new ByteWriter(2);
    w.u16(0x0102);
    const buf = w.raw(6);
    expect(buf.length - w.length).toBeGreaterThanOrEqual(6);
    expect(buf.subarray(0, 2)).toEqual(bytes().u16(0x0102).build()); // growth kept the earlier bytes
    buf.set([3, 4, 5, 6, 7], w.length);
    w.advance(5);
    w.u8(8);
    expect(w.toBuffer()).toEqual(bytes().raw([1, 2, 3, 4, 5, 6, 7, 8]).build());
  });

  it('commits nothing until advance() is called', () => {
    const w = new ByteWriter(8);
    w.raw(4).set([1, 2, 3, 4], 0);
    expect(w.length).toBe(0);
    w.u8(9); // overwrites the uncommitted byte
    expect(w.toBuffer()).toEqual(bytes().u8(9).build());
  });
});

describe('ByteWriter view, toBuffer, reset and truncate', () => {
  it('toBuffer() is a copy that later writes cannot change, view() shares memory until the next write', () => {
    const w = new ByteWriter(16);
    w.u32(0x11223344);
    const view = w.view();
    const copy = w.toBuffer();
    expect(view).toEqual(copy);
    // Overwrite the same memory (no growth): reset and write different bytes.
    w.reset();
    w.u32(0x55667788);
    expect(copy).toEqual(bytes().u32(0x11223344).build());
    expect(view).toEqual(bytes().u32(0x55667788).build()); // the documented hazard of a view
    expect(w.view()).toEqual(bytes().u32(0x55667788).build());
  });

  it('a view covers exactly the bytes written so far', () => {
    const w = new ByteWriter(1024);
    w.u16(0xabcd);
    expect(w.view().length).toBe(2);
    expect(w.toBuffer().length).toBe(2);
  });

  it('reset() empties the writer but keeps its capacity', () => {
    const w = new ByteWriter(8);
    w.pad(100);
    const grown = backing(w);
    w.reset();
    expect(w.length).toBe(0);
    expect(w.view().length).toBe(0);
    w.u8(5);
    expect(w.toBuffer()).toEqual(bytes().u8(5).build());
    expect(backing(w)).toBe(grown);
  });

  it('truncate() drops what was written after the given length, and writes continue from there', () => {
    const w = new ByteWriter(16);
    w.u16(0x0102).u32(0xffffffff);
    w.truncate(2);
    expect(w.length).toBe(2);
    w.u8(3);
    expect(w.toBuffer()).toEqual(bytes().raw([1, 2, 3]).build());
    w.truncate(3); // to the current length: nothing changes
    w.truncate(0);
    expect(w.length).toBe(0);
  });

  it.each([-1, 5, 1000])('truncate(%i) on a 4-byte writer throws RangeError and changes nothing', (len) => {
    const w = new ByteWriter(16);
    w.u32(0x01020304);
    expect(() => w.truncate(len)).toThrow(RangeError);
    expect(w.length).toBe(4);
    expect(w.toBuffer()).toEqual(bytes().u32(0x01020304).build());
  });
});
