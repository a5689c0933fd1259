import { describe, expect, it } from 'vitest';
import { QualityAdapter } from '../../../../src/main/rfb/session/quality-adapter.js';

describe('QualityAdapter', () => {
  /** One period of `ms` in which the scheduler was held back `heldMs` of it and sent `bytes`. */
  function period(a: QualityAdapter, clock: { now: number }, o: { ms?: number; heldMs: number; bytes: number }): void {
    const ms = o.ms ?? 1000;
    if (o.heldMs > 0) {
      a.held(true);
      clock.now += o.heldMs;
      a.held(false);
    }
    a.sent(o.bytes);
    clock.now += ms - o.heldMs;
  }

  it('steps down one level a period while the link holds updates back, down to the most it may', () => {
    const clock = { now: 0 };
    const a = new QualityAdapter(() => clock.now);
    for (let i = 1; i <= 8; i++) {
      period(a, clock, { heldMs: 600, bytes: 200_000 });
      a.evaluate(200_000, 5);
      expect(a.steps).toBe(Math.min(i, 5));
    }
  });

  it('counts a wait that is still going on, and decides nothing before a period has passed', () => {
    const clock = { now: 0 };
    const a = new QualityAdapter(() => clock.now);
    a.held(true);
    clock.now += 500;
    expect(a.evaluate(200_000, 5)).toBe(false);
    clock.now += 600;
    expect(a.evaluate(200_000, 5)).toBe(true); // held the whole 1.1 s and still holding
    expect(a.steps).toBe(1);
  });

  it('steps back up after two periods with room, never above what was asked', () => {
    const clock = { now: 0 };
    const a = new QualityAdapter(() => clock.now);
    for (let i = 0; i < 3; i++) {
      period(a, clock, { heldMs: 900, bytes: 200_000 });
      a.evaluate(200_000, 5);
    }
    expect(a.steps).toBe(3);
    period(a, clock, { heldMs: 0, bytes: 50_000 });
    expect(a.evaluate(200_000, 5)).toBe(false); // one roomy period is not enough
    period(a, clock, { heldMs: 0, bytes: 50_000 });
    expect(a.evaluate(200_000, 5)).toBe(true);
    expect(a.steps).toBe(2);
    for (let i = 0; i < 10; i++) {
      period(a, clock, { heldMs: 0, bytes: 10_000 });
      a.evaluate(200_000, 5);
    }
    expect(a.steps).toBe(0);
  });

  it('stays put while the link is busy but keeps up (no holding, much of it used), or while nothing is known', () => {
    const clock = { now: 0 };
    const a = new QualityAdapter(() => clock.now);
    period(a, clock, { heldMs: 800, bytes: 200_000 });
    a.evaluate(200_000, 5);
    expect(a.steps).toBe(1);
    for (let i = 0; i < 5; i++) {
      period(a, clock, { heldMs: 100, bytes: 150_000 }); // a little holding, 75 % used
      a.evaluate(200_000, 5);
    }
    expect(a.steps).toBe(1);
    period(a, clock, { heldMs: 900, bytes: 0 });
    expect(a.evaluate(null, 5)).toBe(false);
    expect(a.steps).toBe(1);
    period(a, clock, { heldMs: 900, bytes: 0 });
    a.evaluate(200_000, 0); // the client's quality may not go lower at all
    expect(a.steps).toBe(0);
  });
});
