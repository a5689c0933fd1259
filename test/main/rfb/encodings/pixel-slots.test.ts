import { describe, expect, it } from 'vitest';
import { PixelSlots } from '../../../../src/main/rfb/encodings/pixel-slots.js';

describe('PixelSlots', () => {
  it('gives shared slots of a power-of-two size, at least 64 Ki pixels', () => {
    const pool = new PixelSlots(64 << 20);
    const small = pool.take(10)!;
    expect(small.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(small.length).toBe(1 << 16);
    expect(pool.take((1 << 17) + 1)!.length).toBe(1 << 18);
    expect(pool.bytes).toBe(((1 << 16) + (1 << 18)) * 4);
  });

  it('hands a slot out again once it is given back, and makes no more memory for it', () => {
    const pool = new PixelSlots(64 << 20);
    const a = pool.take(1000)!;
    const b = pool.take(1000)!;
    expect(b).not.toBe(a);
    pool.give(a);
    expect(pool.take(50_000)).toBe(a);
    expect(pool.bytes).toBe(2 * (1 << 16) * 4);
  });

  it('answers null past its limit, and serves again from what is given back', () => {
    const pool = new PixelSlots(3 * (1 << 16) * 4);
    const slots = [pool.take(1), pool.take(1), pool.take(1)];
    expect(slots.every((s) => s !== null)).toBe(true);
    expect(pool.take(1)).toBeNull();
    expect(pool.take(1 << 17)).toBeNull();
    pool.give(slots[1]!);
    expect(pool.take(1)).toBe(slots[1]);
    expect(pool.bytes).toBe(3 * (1 << 16) * 4);
  });
});
