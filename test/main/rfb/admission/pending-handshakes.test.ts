import { describe, expect, it } from 'vitest';
import { PendingHandshakes } from '../../../../src/main/rfb/admission/pending-handshakes.js';

describe('PendingHandshakes', () => {
  it("drops an address's oldest when it passes its own limit", () => {
    const p = new PendingHandshakes<string>({ perAddress: 3, total: 100 });
    expect(p.add('a', 'a1')).toEqual([]);
    p.add('a', 'a2');
    p.add('a', 'a3');
    expect(p.add('a', 'a4')).toEqual(['a1']);
    expect(p.size).toBe(3);
  });

  it('drops the oldest of the greediest address when the total is reached, so a newcomer from elsewhere stays', () => {
    const p = new PendingHandshakes<string>({ perAddress: 10, total: 6 });
    for (const x of ['g1', 'g2', 'g3', 'g4']) p.add('greedy', x);
    p.add('b', 'b1');
    p.add('c', 'c1');
    expect(p.add('viewer', 'v1')).toEqual(['g1']);
    expect(p.add('viewer2', 'w1')).toEqual(['g2']);
    expect(p.size).toBe(6);
  });

  it('forgets what finished, and ignores what it never had', () => {
    const p = new PendingHandshakes<string>({ perAddress: 2, total: 10 });
    p.add('a', 'a1');
    p.add('a', 'a2');
    p.remove('a', 'a1');
    p.remove('a', 'nope');
    p.remove('zzz', 'a2');
    expect(p.size).toBe(1);
    expect(p.add('a', 'a3')).toEqual([]);
    expect(p.add('a', 'a4')).toEqual(['a2']);
  });
});
