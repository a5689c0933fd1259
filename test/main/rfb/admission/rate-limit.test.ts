import { describe, expect, it } from 'vitest';
import { ConnectionRateLimiter } from '../../../../src/main/rfb/admission/rate-limit.js';

describe('ConnectionRateLimiter', () => {
  it('lets a burst through, then the sustained rate', () => {
    let now = 0;
    const r = new ConnectionRateLimiter({ perSecond: 10, burst: 5 }, { perSecond: 1000, burst: 1000 }, () => now);
    const burst = Array.from({ length: 8 }, () => r.take('a'));
    expect(burst).toEqual([true, true, true, true, true, false, false, false]);
    now += 100; // one token back
    expect(r.take('a')).toBe(true);
    expect(r.take('a')).toBe(false);
  });

  it("does not let one address's flood use up the overall budget", () => {
    let now = 0;
    const r = new ConnectionRateLimiter({ perSecond: 1, burst: 3 }, { perSecond: 1, burst: 10 }, () => now);
    for (let i = 0; i < 1000; i++) r.take('flood');
    expect(r.take('viewer')).toBe(true); // only 3 of the flood's attempts counted overall
  });

  it('refuses everyone when the overall rate is used up by many addresses', () => {
    const r = new ConnectionRateLimiter({ perSecond: 10, burst: 10 }, { perSecond: 1, burst: 4 }, () => 0);
    expect(['a', 'b', 'c', 'd', 'e'].map((x) => r.take(x))).toEqual([true, true, true, true, false]);
  });

  it('keeps a bounded number of addresses', () => {
    let now = 0;
    const r = new ConnectionRateLimiter({ perSecond: 10, burst: 2 }, { perSecond: 1e9, burst: 1e9 }, () => now, 50);
    r.take('x');
    r.take('x');
    expect(r.take('x')).toBe(false);
    for (let i = 0; i < 500; i++) r.take(`10.1.${i >> 8}.${i & 255}`);
    now += 1;
    expect(r.take('x')).toBe(true); // forgotten: a fresh bucket
  });
});

describe('ConnectionRateLimiter.refund', () => {
  it('gives an authenticated connection its token back, so a viewer reconnecting often is never limited', () => {
    const r = new ConnectionRateLimiter({ perSecond: 1, burst: 3 }, { perSecond: 1, burst: 3 }, () => 0);
    for (let i = 0; i < 100; i++) {
      expect(r.take('viewer'), `connection ${i}`).toBe(true);
      r.refund('viewer');
    }
    for (let i = 0; i < 3; i++) expect(r.take('guesser')).toBe(true);
    expect(r.take('guesser')).toBe(false); // never refunded: limited
  });
});
