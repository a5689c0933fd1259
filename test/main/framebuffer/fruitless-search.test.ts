import { describe, expect, it } from 'vitest';
import { EMPTY_SEARCHES_BEFORE_SKIP, FruitlessSearch, SEARCH_ANYWAY_EVERY } from '../../../src/main/framebuffer/fruitless-search.js';
import { ChangeDetector } from '../../../src/main/framebuffer/change-detector.js';
import { createFrame, type Frame } from '../../../src/main/framebuffer/frame.js';
import { prng } from '../../support/prng.js';

describe('FruitlessSearch', () => {
  const video = [{ x: 64, y: 64, w: 256, h: 192 }];

  it('skips an area after it came up empty, searching anyway every few frames', () => {
    const f = new FruitlessSearch(64);
    f.resize(640, 480);
    const ran: boolean[] = [];
    for (let i = 0; i < 3 + 2 * SEARCH_ANYWAY_EVERY; i++) {
      const search = f.shouldSearch(video);
      ran.push(search);
      if (search) f.searched(video, []);
    }
    // The first EMPTY_SEARCHES_BEFORE_SKIP searches run; then one in SEARCH_ANYWAY_EVERY.
    expect(ran.slice(0, EMPTY_SEARCHES_BEFORE_SKIP).every(Boolean)).toBe(true);
    const later = ran.slice(EMPTY_SEARCHES_BEFORE_SKIP);
    expect(later.filter(Boolean).length).toBe(Math.floor(later.length / SEARCH_ANYWAY_EVERY));
    expect(later.slice(0, SEARCH_ANYWAY_EVERY)).toEqual([false, false, false, true]);
  });

  it('searches at once where something else changes, and forgets an area once a copy is found there', () => {
    const f = new FruitlessSearch(64);
    f.resize(640, 480);
    for (let i = 0; i < EMPTY_SEARCHES_BEFORE_SKIP; i++) f.searched(video, []);
    expect(f.shouldSearch(video)).toBe(false);
    // A window elsewhere changes too: its tiles have no empty record.
    expect(f.shouldSearch([...video, { x: 400, y: 300, w: 100, h: 100 }])).toBe(true);
    f.searched(video, video); // a copy was found here
    expect(f.shouldSearch(video)).toBe(true);
    expect(f.shouldSearch([])).toBe(true); // nothing changed: nothing to skip
  });
});

describe('ChangeDetector with a video, then a scroll in the same place', () => {
  function noise(frame: Frame, r: { x: number; y: number; w: number; h: number }, seed: number): void {
    const next = prng(seed);
    for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) frame.pixels[y * frame.stride + x] = (next() * 0xffffff) >>> 0;
  }

  it('stops searching while the area only flickers, and finds the scroll within SEARCH_ANYWAY_EVERY frames once it moves', () => {
    const area = { x: 64, y: 64, w: 320, h: 256 };
    const frame = createFrame(640, 480);
    noise(frame, { x: 0, y: 0, w: 640, h: 480 }, 1);
    const d = new ChangeDetector();
    d.detectWithCopies(frame);
    let searched = 0;
    for (let i = 0; i < 12; i++) {
      noise(frame, area, 100 + i);
      d.detectWithCopies(frame);
      if (d.stats.scrollAreas > 0) searched++;
    }
    // 3 searches, then one in four of the other 9 frames.
    expect(searched).toBe(EMPTY_SEARCHES_BEFORE_SKIP + Math.floor((12 - EMPTY_SEARCHES_BEFORE_SKIP) / SEARCH_ANYWAY_EVERY));
    // Now the area scrolls up by 16 rows (its content moves; a new strip at the bottom).
    let found = -1;
    for (let i = 0; i < SEARCH_ANYWAY_EVERY && found < 0; i++) {
      const px = frame.pixels;
      for (let y = area.y; y < area.y + area.h - 16; y++) px.copyWithin(y * frame.stride + area.x, (y + 16) * frame.stride + area.x, (y + 16) * frame.stride + area.x + area.w);
      noise(frame, { x: area.x, y: area.y + area.h - 16, w: area.w, h: 16 }, 500 + i);
      if (d.detectWithCopies(frame).copies.length > 0) found = i;
    }
    expect(found).toBeGreaterThanOrEqual(0);
  });
});
