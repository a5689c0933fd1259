import { describe, expect, it } from 'vitest';
import { sameBytes } from '../../../src/renderer/capture/same-bytes.js';

describe('sameBytes', () => {
  it('tells equal frames from frames that differ anywhere, in the words or the tail', () => {
    const a = new Uint8Array(4 * 1000 + 3).map((_, i) => i * 7);
    expect(sameBytes(a.buffer, a.slice().buffer)).toBe(true);
    for (const at of [0, 1, 2000, 4000, 4002]) {
      const b = a.slice();
      b[at] = b[at]! ^ 1;
      expect(sameBytes(a.buffer, b.buffer), `a change at byte ${at}`).toBe(false);
    }
    expect(sameBytes(a.buffer, a.slice(0, 4000).buffer)).toBe(false);
  });
});
