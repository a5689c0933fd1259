import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { PixelSlots } from '../../../../src/main/rfb/encodings/pixel-slots.js';

describe('PixelSlots', () => {
  it('gives slots of a power-of-two size, at least 64 Ki pixels, in buffers that can be transferred (not shared memory)', () => {
    const pool = new PixelSlots(64 << 20);
    const small = pool.take(10)!;
    expect(small.buffer).toBeInstanceOf(ArrayBuffer);
    expect(small.buffer).not.toBeInstanceOf(SharedArrayBuffer);
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

  it('takes a slot back as the buffer a worker returns, and forgets one that is lost', () => {
    const pool = new PixelSlots(2 * (1 << 16) * 4);
    const a = pool.take(1)!;
    const b = pool.take(1)!;
    expect(pool.take(1)).toBeNull();
    // `a` went to a worker (its buffer transferred) and came back: a new view of the same memory.
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(a.buffer, [a.buffer as ArrayBuffer]);
    expect(a.length).toBe(0);
    pool.give(new Uint32Array(receiveMessageOnPort(port2)!.message as ArrayBuffer));
    expect(pool.take(1)!.length).toBe(1 << 16);
    // `b` went to a worker that died: its memory is not the pool's any more, so a new slot may be made.
    port1.postMessage(b.buffer, [b.buffer as ArrayBuffer]);
    pool.lost(1 << 16);
    expect(pool.bytes).toBe((1 << 16) * 4);
    expect(pool.take(1)).not.toBeNull();
    port1.close();
  });
});
