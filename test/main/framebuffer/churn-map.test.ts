import { describe, expect, it } from 'vitest';
import { ChurnMap, CHURN_WINDOW_MS } from '../../../src/main/framebuffer/churn-map.js';

describe('ChurnMap', () => {
  function map(): { churn: ChurnMap; at: (ms: number) => void } {
    let now = 1000;
    const churn = new ChurnMap(640, 480, () => now);
    return { churn, at: (ms) => (now = ms) };
  }
  const video = { x: 64, y: 64, w: 256, h: 128 };

  it('a single change is not busy; a second within the window is, until a window after the last', () => {
    const { churn, at } = map();
    churn.mark([video]);
    expect(churn.busy(video)).toBe(false);
    at(1040);
    churn.mark([video]);
    expect(churn.busy(video)).toBe(true);
    at(1040 + CHURN_WINDOW_MS);
    expect(churn.busy(video)).toBe(true);
    at(1041 + CHURN_WINDOW_MS);
    expect(churn.busy(video)).toBe(false);
  });

  it('changes further apart than the window never make an area busy', () => {
    const { churn, at } = map();
    for (let i = 0; i < 5; i++) {
      at(1000 + i * (CHURN_WINDOW_MS + 1));
      churn.mark([video]);
      expect(churn.busy(video)).toBe(false);
    }
  });

  it('asks about most of the area: a busy corner does not make a whole screen busy', () => {
    const { churn, at } = map();
    const corner = { x: 0, y: 0, w: 64, h: 64 };
    churn.mark([corner]);
    at(1020);
    churn.mark([corner]);
    expect(churn.busy(corner)).toBe(true);
    expect(churn.busy({ x: 0, y: 0, w: 640, h: 480 })).toBe(false);
    expect(churn.busy({ x: 0, y: 0, w: 128, h: 64 })).toBe(false); // one of two tiles: not most
    expect(churn.busy({ x: 320, y: 320, w: 64, h: 64 })).toBe(false);
  });

  it('forgets everything on resize and ignores areas off the screen', () => {
    const { churn, at } = map();
    churn.mark([video]);
    at(1020);
    churn.mark([video]);
    churn.resize(800, 600);
    expect(churn.busy(video)).toBe(false);
    churn.mark([{ x: 2000, y: 2000, w: 64, h: 64 }]);
    expect(churn.busy({ x: 2000, y: 2000, w: 64, h: 64 })).toBe(false);
  });
});
