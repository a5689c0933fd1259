import { describe, expect, it } from 'vitest';
import { payloadRoom, payloadSlots } from '../../../../src/main/rfb/encodings/payload-slots.js';

describe('payloadSlots', () => {
  it('hands out shared memory in 64 KiB steps and the same slot again once it is given back', () => {
    const pool = payloadSlots(1 << 20);
    const a = pool.take(100_000);
    expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(a.length).toBe(131072);
    const b = pool.take(100_000);
    expect(b.buffer).not.toBe(a.buffer); // a is still out
    pool.give(a);
    expect(pool.keptBytes).toBe(131072);
    expect(pool.take(70_000).buffer).toBe(a.buffer); // same size class
    expect(pool.keptBytes).toBe(0);
    expect(pool.take(1).length).toBe(65536);
  });

  it('keeps no more than its limit of free slots', () => {
    const pool = payloadSlots(200_000);
    const slots = [pool.take(65536), pool.take(65536), pool.take(65536), pool.take(65536)];
    for (const s of slots) pool.give(s);
    expect(pool.keptBytes).toBe(196608); // the fourth was left to the collector
    const again = [pool.take(65536), pool.take(65536), pool.take(65536), pool.take(65536)];
    expect(again.filter((s) => slots.includes(s))).toHaveLength(3);
  });

  it('makes room for a unit at 4 bytes a pixel and more', () => {
    expect(payloadRoom(1920, 64)).toBeGreaterThan(1920 * 64 * 4);
    expect(payloadRoom(1, 1)).toBeGreaterThan(4);
  });
});
