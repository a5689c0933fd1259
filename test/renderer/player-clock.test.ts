import { describe, expect, it } from 'vitest';
import { advance, idleGaps, PlaybackClock, SKIP_WALL_MS } from '../../src/renderer/player/clock.js';

describe('idle stretches from activity per second', () => {
  it('finds runs of quiet seconds at least 3 s long, the quiet end included', () => {
    // seconds:     0  1  2  3  4  5  6  7  8  9 10 11
    const activity = [4, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0];
    expect(idleGaps(activity, 12_000)).toEqual([
      { start: 4000, end: 8000 },
      { start: 9000, end: 12_000 },
    ]);
    // Two quiet seconds are not idle enough.
    expect(idleGaps([1, 0, 0, 1], 4000)).toEqual([]);
  });

  it('counts the seconds past the last activity as quiet, and stops at the duration', () => {
    expect(idleGaps([1], 5500)).toEqual([{ start: 1000, end: 5500 }]);
    expect(idleGaps([], 2500)).toEqual([]);
    expect(idleGaps([0, 0, 0, 0], 3500, 2000)).toEqual([{ start: 0, end: 3500 }]);
  });
});

describe('advancing the position', () => {
  const gaps = [{ start: 10_000, end: 70_000 }];

  it('moves at the speed outside gaps', () => {
    expect(advance(0, 1000, 1, [])).toBe(1000);
    expect(advance(500, 1000, 0.25, [])).toBe(750);
    expect(advance(0, 1000, 16, [])).toBe(16_000);
  });

  it('passes a gap in about a second of wall time, whatever the speed below its own', () => {
    // 9 s to reach the gap at 1×, then the 60 s gap in SKIP_WALL_MS.
    expect(advance(1000, 9000, 1, gaps)).toBe(10_000);
    expect(advance(1000, 9000 + SKIP_WALL_MS / 2, 1, gaps)).toBe(40_000);
    expect(advance(1000, 9000 + SKIP_WALL_MS, 1, gaps)).toBe(70_000);
    expect(advance(1000, 9000 + SKIP_WALL_MS + 2000, 1, gaps)).toBe(72_000);
    // At 0.25× the gap still takes a second.
    expect(advance(10_000, SKIP_WALL_MS, 0.25, gaps)).toBe(70_000);
    // Starting inside a gap: the rest of it at the gap's rate.
    expect(advance(40_000, SKIP_WALL_MS / 2, 1, gaps)).toBe(70_000);
  });

  it('never slows a gap down below the chosen speed', () => {
    const short = [{ start: 0, end: 3000 }];
    // 16× passes 3 s in under 200 ms, faster than the skip would.
    expect(advance(0, 100, 16, short)).toBe(1600);
  });

  it('walks several gaps in order', () => {
    const two = [
      { start: 1000, end: 5000 },
      { start: 6000, end: 26_000 },
    ];
    // 1 s to the first gap, 1 s through it, 1 s to the next, 1 s through it, 0.5 s beyond.
    expect(advance(0, 4500, 1, two)).toBe(26_500);
  });
});

describe('the playback clock', () => {
  it('stands still while paused and runs at its speed while playing', () => {
    const c = new PlaybackClock(60_000);
    expect(c.position(5000)).toBe(0);
    c.play(1000);
    expect(c.position(3000)).toBe(2000);
    c.setSpeed(4, 3000);
    expect(c.position(4000)).toBe(6000);
    c.pause(4000);
    expect(c.position(99_000)).toBe(6000);
    expect(c.playing).toBe(false);
  });

  it('seeks within the recording, and stops at its end', () => {
    const c = new PlaybackClock(10_000);
    c.seek(-50, 0);
    expect(c.position(0)).toBe(0);
    c.seek(99_999, 0);
    expect(c.position(0)).toBe(10_000);
    expect(c.atEnd(0)).toBe(true);
    c.seek(9000, 0);
    c.play(0);
    expect(c.position(500)).toBe(9500);
    expect(c.position(5000)).toBe(10_000);
  });

  it('skips idle from the moment it is turned on, without a jump', () => {
    const c = new PlaybackClock(100_000);
    c.play(0);
    expect(c.position(2000)).toBe(2000);
    c.setGaps([{ start: 5000, end: 95_000 }], 2000);
    expect(c.position(2000)).toBe(2000);
    expect(c.position(5000)).toBe(5000);
    expect(c.position(5000 + SKIP_WALL_MS)).toBe(95_000);
    c.setGaps([], 5000 + SKIP_WALL_MS);
    expect(c.position(5000 + SKIP_WALL_MS + 1000)).toBe(96_000);
  });

  it('takes a longer duration as a recording being written grows, keeping its place', () => {
    const c = new PlaybackClock(5000);
    c.play(0);
    expect(c.position(8000)).toBe(5000);
    c.seek(5000, 8000); // held at the end, as the player does while following
    c.setDuration(9000, 8000);
    expect(c.position(9000)).toBe(6000);
    c.setDuration(3000, 9000);
    expect(c.position(9000)).toBe(3000);
  });

  it('refuses a speed that is not above zero', () => {
    expect(() => new PlaybackClock(1).setSpeed(0, 0)).toThrow(RangeError);
  });
});
