import { describe, expect, it } from 'vitest';
import type { RecordingSegment } from '../../src/shared/recording-contract.js';
import { segmentAt } from '../../src/renderer/player/segments.js';
import { ThumbnailCache, timeAtX, xAtTime } from '../../src/renderer/player/thumbnail-cache.js';
import { downscale, thumbnailSize } from '../../src/renderer/player/thumbnail-image.js';
import { keyframeThumbnail, ThumbnailLoader, type ThumbnailView, type Timer } from '../../src/renderer/player/thumbnail-loader.js';
import { rawUpdate } from '../support/recording-fixtures.js';

// noVNC's logging module reads window.console as it loads; in Node the global object stands in.
(globalThis as { window?: unknown }).window ??= globalThis;
const { createNoVncDecoders } = await import('../../src/renderer/player/novnc-decoders.js');

/**
 * The seek bar's thumbnails, without a page: the cache and its bound, the
 * moment under the pointer and its segment, making a picture small, and
 * the loader's debounce (sweeping the bar asks for nothing but where it
 * stops) with a hand-stepped timer.
 */

describe('the thumbnail cache', () => {
  it('keeps at most its limit, dropping the least recently used', () => {
    const c = new ThumbnailCache<string>(32);
    for (let i = 0; i < 40; i++) c.set(i, `t${i}`);
    expect(c.size).toBe(32);
    expect(c.has(7)).toBe(false);
    expect(c.has(8)).toBe(true);
    // Using 8 makes it the most recent: the next one in drops 9, not 8.
    expect(c.get(8)).toBe('t8');
    c.set(100, 't100');
    expect(c.has(8)).toBe(true);
    expect(c.has(9)).toBe(false);
    expect(c.keys().at(-1)).toBe(100);
    expect(c.keys().at(-2)).toBe(8);
    // Setting again replaces, without growing.
    c.set(100, 'again');
    expect(c.size).toBe(32);
    expect(c.get(100)).toBe('again');
    expect(() => new ThumbnailCache(0)).toThrow(RangeError);
  });
});

describe('the moment under the pointer', () => {
  it('maps the bar linearly to the recording, clamped at both ends', () => {
    expect(timeAtX(0, 500, 60_000)).toBe(0);
    expect(timeAtX(250, 500, 60_000)).toBe(30_000);
    expect(timeAtX(500, 500, 60_000)).toBe(60_000);
    expect(timeAtX(-20, 500, 60_000)).toBe(0);
    expect(timeAtX(900, 500, 60_000)).toBe(60_000);
    expect(timeAtX(10, 0, 60_000)).toBe(0);
    expect(xAtTime(15_000, 400, 60_000)).toBe(100);
    expect(xAtTime(timeAtX(123, 400, 60_000), 400, 60_000)).toBeCloseTo(123, 0);
  });

  it('finds the segment whose keyframe is at or before the moment', () => {
    const keyframes = [120, 10_000, 20_000, 30_500];
    expect(segmentAt(keyframes, 0)).toBe(-1); // before the first picture
    expect(segmentAt(keyframes, 120)).toBe(0);
    expect(segmentAt(keyframes, 9_999)).toBe(0);
    expect(segmentAt(keyframes, 10_000)).toBe(1);
    expect(segmentAt(keyframes, 25_000)).toBe(2);
    expect(segmentAt(keyframes, 1e9)).toBe(3);
    expect(segmentAt([], 5)).toBe(-1);
  });
});

describe('making a picture small', () => {
  it('keeps the shape, at most 160 wide, never larger than the picture', () => {
    expect(thumbnailSize(1920, 1080)).toEqual({ width: 160, height: 90 });
    expect(thumbnailSize(640, 400)).toEqual({ width: 160, height: 100 });
    expect(thumbnailSize(1080, 1920)).toEqual({ width: 160, height: 284 });
    expect(thumbnailSize(96, 64)).toEqual({ width: 96, height: 64 });
    expect(thumbnailSize(0, 0)).toEqual({ width: 1, height: 1 });
  });

  it('averages each block of pixels, and every source pixel counts once', () => {
    // 4×2 → 2×1: the left block is two reds and two blues, the right one four greys.
    const src = new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255, 90, 90, 90, 255, 91, 91, 91, 255, 255, 0, 0, 255, 0, 0, 255, 255, 90, 90, 90, 255, 91, 91, 91, 255]);
    expect([...downscale(src, 4, 2, 2, 1)]).toEqual([128, 0, 128, 255, 91, 91, 91, 255]); // 127.5 and 90.5 round up
    // Uneven: 5 → 2 takes columns 0–1 and 2–4.
    const row = new Uint8ClampedArray([10, 10, 10, 255, 20, 20, 20, 255, 30, 30, 30, 255, 40, 40, 40, 255, 50, 50, 50, 255]);
    expect([...downscale(row, 5, 1, 2, 1)]).toEqual([15, 15, 15, 255, 40, 40, 40, 255]);
    expect(() => downscale(row, 5, 1, 6, 1)).toThrow(RangeError);
  });

  it("decodes a segment's keyframe with noVNC's decoders, apart from any player", () => {
    const seg = keyframeSegment(3, 5000, 320, 200, (x) => (x < 160 ? 0xff0000 : 0x0000ff));
    const thumb = keyframeThumbnail(seg, createNoVncDecoders);
    expect(thumb).toMatchObject({ index: 3, t: 5000, width: 160, height: 100 });
    // rawUpdate writes each word little-endian: 0xff0000 is the bytes 0, 0, 255 — blue, in a recording's R, G, B, X order.
    const px = (x: number, y: number) => [...thumb.rgba.subarray((y * 160 + x) * 4, (y * 160 + x) * 4 + 4)];
    expect(px(10, 50)).toEqual([0, 0, 255, 255]);
    expect(px(150, 50)).toEqual([255, 0, 0, 255]);
    expect(() => keyframeThumbnail({ name: 'r', index: 0, more: false, records: [{ t: 0, type: 'update', data: '' }] }, createNoVncDecoders)).toThrow(/keyframe/);
  });
});

/** A segment holding one keyframe: a Raw update covering w × h. */
function keyframeSegment(index: number, t: number, w: number, h: number, pixel: (x: number, y: number) => number): RecordingSegment {
  return { name: 'r.vnc.gz', index, more: true, records: [{ t, type: 'keyframe', width: w, height: h, data: rawUpdate(0, 0, w, h, pixel).toString('base64') }] };
}

/** A timer stepped by hand: `run()` fires what is due after `ms`. */
function handTimer() {
  let now = 0;
  const due: Array<{ at: number; cb: () => void; live: boolean }> = [];
  const timer: Timer = (cb, ms) => {
    const entry = { at: now + ms, cb, live: true };
    due.push(entry);
    return () => {
      entry.live = false;
    };
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const e of due.splice(0)) {
      if (!e.live) continue;
      if (e.at <= now) e.cb();
      else due.push(e);
    }
    // Let the fetch and decoding settle.
    for (let i = 0; i < 5; i++) await Promise.resolve();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { timer, advance };
}

describe('the thumbnail loader', () => {
  const keyframes = Array.from({ length: 50 }, (_, i) => i * 10_000);

  function loader(opts: { failFirst?: boolean } = {}) {
    const asked: number[] = [];
    const views: Array<ThumbnailView | null> = [];
    const { timer, advance } = handTimer();
    let fail = opts.failFirst ?? false;
    const l = new ThumbnailLoader(
      async (index) => {
        asked.push(index);
        if (fail) {
          fail = false;
          throw new Error('gone');
        }
        return keyframeSegment(index, keyframes[index]!, 32, 16, () => index * 0x010101);
      },
      createNoVncDecoders,
      (v) => views.push(v),
      { timer, debounceMs: 120 },
    );
    l.setKeyframes(keyframes);
    return { l, asked, views, advance, last: () => views.at(-1) };
  }

  it('asks for nothing while the pointer sweeps across, and for the segment where it stops', async () => {
    const { l, asked, advance, last } = loader();
    for (let t = 0; t < 200_000; t += 2_500) {
      l.want(t);
      await advance(20);
    }
    expect(asked).toEqual([]);
    expect(last()).toMatchObject({ t: 197_500, index: 19, state: 'loading', thumbnail: null });
    await advance(120);
    expect(asked).toEqual([19]);
    expect(last()).toMatchObject({ t: 197_500, index: 19, state: 'ready', thumbnail: { index: 19, t: 190_000, width: 32, height: 16 } });
  });

  it('keeps waiting on one segment while the pointer moves within it, and shows kept ones at once', async () => {
    const { l, asked, advance, last } = loader();
    l.want(31_000);
    await advance(100);
    l.want(35_000); // same segment: the ask is not put off
    await advance(20);
    expect(asked).toEqual([3]);
    l.want(40_000);
    await advance(200);
    expect(asked).toEqual([3, 4]);
    l.want(39_000); // kept: no ask, no wait
    expect(last()).toMatchObject({ t: 39_000, index: 3, state: 'ready' });
    expect(asked).toEqual([3, 4]);
    // Before the first keyframe there is no picture; pointing at nothing hides it.
    l.setKeyframes([5_000, ...keyframes.slice(1)]);
    l.want(1_000);
    expect(last()).toEqual({ t: 1_000, index: -1, state: 'none', thumbnail: null });
    l.want(null);
    expect(last()).toBeNull();
  });

  it('keeps at most 32 thumbnails, and asks again for one that failed', async () => {
    const { l, asked, advance, last } = loader({ failFirst: true });
    l.want(5_000);
    await advance(200);
    expect(last()).toMatchObject({ index: 0, state: 'failed' });
    l.want(6_000);
    await advance(200);
    expect(last()).toMatchObject({ index: 0, state: 'ready' });
    for (let i = 1; i < 45; i++) {
      l.want(i * 10_000 + 1);
      await advance(200);
    }
    expect(asked).toEqual([0, ...Array.from({ length: 45 }, (_, i) => i)]);
    expect(l.kept).toHaveLength(32);
    expect(l.kept[0]).toBe(13);
    l.dispose();
    l.want(1);
    await advance(200);
    expect(asked).toHaveLength(46);
  });
});
