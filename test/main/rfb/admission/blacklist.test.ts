import { describe, expect, it } from 'vitest';
import { Blacklist, DEFAULT_BLACKLIST } from '../../../../src/main/rfb/admission/blacklist.js';

describe('Blacklist', () => {
  it('blocks after 5 failures in a row for 10 s, then for twice as long after each further failure', () => {
    let now = 1_000_000;
    const b = new Blacklist(DEFAULT_BLACKLIST, () => now);
    for (let i = 0; i < 4; i++) expect(b.fail('a')).toBe(0);
    expect(b.blockEnd('a')).toBe(0);
    expect(b.fail('a')).toBe(10_000);
    expect(b.blockEnd('a')).toBe(now + 10_000);
    now += 9_999;
    expect(b.blockEnd('a')).toBeGreaterThan(0);
    now += 1;
    expect(b.blockEnd('a')).toBe(0); // over: one more try
    expect(b.fail('a')).toBe(20_000);
    now += 20_000;
    expect(b.fail('a')).toBe(40_000);
    expect(b.blockEnd('b')).toBe(0);
  });

  it('does not lengthen a block with failures that come while it runs (handshakes already under way)', () => {
    let now = 0;
    const b = new Blacklist(DEFAULT_BLACKLIST, () => now);
    for (let i = 0; i < 5; i++) b.fail('a');
    expect(b.fail('a')).toBe(0);
    expect(b.blockEnd('a')).toBe(10_000);
  });

  it('never blocks longer than the maximum', () => {
    let now = 0;
    const b = new Blacklist({ ...DEFAULT_BLACKLIST, maxBlockMs: 30_000 }, () => now);
    const blocks: number[] = [];
    for (let i = 0; i < 10; i++) {
      const ms = b.fail('a');
      if (ms > 0) {
        blocks.push(ms);
        now += ms;
      }
    }
    expect(blocks).toEqual([10_000, 20_000, 30_000, 30_000, 30_000, 30_000]);
  });

  it('forgets an address that authenticates', () => {
    const b = new Blacklist(DEFAULT_BLACKLIST, () => 0);
    for (let i = 0; i < 4; i++) b.fail('a');
    b.succeed('a');
    for (let i = 0; i < 4; i++) expect(b.fail('a')).toBe(0);
  });

  it('remembers a bounded number of addresses, forgetting the longest quiet first', () => {
    const b = new Blacklist({ ...DEFAULT_BLACKLIST, maxEntries: 100 }, () => 0);
    for (let i = 0; i < 5; i++) b.fail('attacker');
    for (let i = 0; i < 1000; i++) b.fail(`10.0.${i >> 8}.${i & 255}`);
    expect(b.size).toBe(100);
    expect(b.blockEnd('attacker')).toBe(0); // pushed out by a thousand others
  });
});
