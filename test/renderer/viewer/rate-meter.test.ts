import { describe, expect, it } from 'vitest';
import { RateMeter, formatFrameRate } from '../../../src/renderer/viewer/rate-meter.js';

describe('viewer rate meter', () => {
  it('gives the rate per second since the sample before', () => {
    const m = new RateMeter();
    expect(m.sample(1000)).toBeNull(); // the first sample starts the clock
    for (let i = 0; i < 30; i++) m.add();
    expect(m.sample(2000)).toBe(30);
    m.add(1500);
    m.add(500);
    expect(m.sample(2500)).toBe(4000); // 2000 in half a second
    expect(m.sample(3500)).toBe(0);
    expect(m.count).toBe(2030);
  });

  it('ignores nonsense amounts and a clock that did not move', () => {
    const m = new RateMeter();
    m.sample(0);
    m.add(-5);
    m.add(Number.NaN);
    m.add(Number.POSITIVE_INFINITY);
    m.add(10);
    expect(m.sample(0)).toBeNull();
    expect(m.sample(-10)).toBeNull();
    // The earlier sample still counts: 10 over one second.
    expect(m.sample(1000)).toBe(10);
  });

  it('starts over after reset', () => {
    const m = new RateMeter();
    m.sample(0);
    m.add(100);
    m.reset();
    expect(m.count).toBe(0);
    expect(m.sample(1000)).toBeNull();
    m.add(7);
    expect(m.sample(2000)).toBe(7);
  });

  it('formats frames per second for the toolbar', () => {
    expect(formatFrameRate(null)).toBe('—');
    expect(formatFrameRate(Number.NaN)).toBe('—');
    expect(formatFrameRate(-1)).toBe('—');
    expect(formatFrameRate(0)).toBe('0.0');
    expect(formatFrameRate(2.46)).toBe('2.5');
    expect(formatFrameRate(9.94)).toBe('9.9');
    expect(formatFrameRate(10)).toBe('10');
    expect(formatFrameRate(29.6)).toBe('30');
  });
});
