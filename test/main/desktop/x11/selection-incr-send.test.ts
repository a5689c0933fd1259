import { describe, expect, it } from 'vitest';
import { incrChunkBytes } from '../../../../src/main/desktop/x11/selection-incr-send.js';

describe('incrChunkBytes', () => {
  const big = 16 * 1024 * 1024; // a server with BIG-REQUESTS

  it('is the threshold, in whole 32-bit units', () => {
    expect(incrChunkBytes(big, 100_000)).toBe(100_000);
    expect(incrChunkBytes(big, 1001.9)).toBe(1000);
  });

  it('never exceeds what one ChangeProperty can carry, nor the server maximum', () => {
    // the request's 16-bit length field counts 4-byte units, the header included
    const coreLimit = 0xffff * 4 - 24;
    expect(incrChunkBytes(big, 256 * 1024)).toBe(coreLimit & ~3);
    expect(incrChunkBytes(big, 1024 * 1024)).toBe(coreLimit & ~3);
    expect(incrChunkBytes(4096, 1024 * 1024)).toBe(4096 - 24);
  });

  it('is at least 4 bytes', () => {
    expect(incrChunkBytes(big, 0)).toBe(4);
    expect(incrChunkBytes(big, -5)).toBe(4);
  });
});
