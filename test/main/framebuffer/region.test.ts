import { describe, expect, it } from 'vitest';
import { boundingRect, clipRect, clipRects, DirtyGrid, mergeRunsVertically } from '../../../src/main/framebuffer/region.js';

describe('region helpers', () => {
  it('clips rectangles to a surface', () => {
    expect(clipRect({ x: -5, y: -5, w: 10, h: 10 }, 100, 100)).toEqual({ x: 0, y: 0, w: 5, h: 5 });
    expect(clipRect({ x: 95, y: 90, w: 10, h: 20 }, 100, 100)).toEqual({ x: 95, y: 90, w: 5, h: 10 });
    expect(clipRect({ x: 100, y: 0, w: 10, h: 10 }, 100, 100)).toBeNull();
    expect(clipRects([{ x: 0, y: 0, w: 0, h: 5 }, { x: 1, y: 1, w: 1, h: 1 }], 10, 10)).toEqual([{ x: 1, y: 1, w: 1, h: 1 }]);
  });

  it('computes bounding rectangles', () => {
    expect(boundingRect([])).toBeNull();
    expect(boundingRect([{ x: 5, y: 5, w: 5, h: 5 }, { x: 0, y: 20, w: 1, h: 1 }])).toEqual({ x: 0, y: 5, w: 10, h: 16 });
  });

  it('merges runs with the same span in consecutive rows', () => {
    const out = mergeRunsVertically([
      { x: 0, y: 0, w: 10, h: 4 },
      { x: 20, y: 0, w: 5, h: 4 },
      { x: 0, y: 4, w: 10, h: 4 },
      { x: 20, y: 4, w: 6, h: 4 },
      { x: 0, y: 12, w: 10, h: 4 }, // gap above: new rectangle
    ]);
    expect(out).toEqual([
      { x: 0, y: 0, w: 10, h: 8 },
      { x: 20, y: 0, w: 5, h: 4 },
      { x: 20, y: 4, w: 6, h: 4 },
      { x: 0, y: 12, w: 10, h: 4 },
    ]);
  });
});

describe('DirtyGrid', () => {
  it('accumulates rectangles on its cell grid and clears on take()', () => {
    const g = new DirtyGrid(100, 50, 16);
    expect(g.isEmpty()).toBe(true);
    expect(g.take()).toEqual([]);
    g.add({ x: 3, y: 3, w: 2, h: 2 });
    g.add({ x: 20, y: 10, w: 1, h: 10 }); // cells (1,0) and (1,1)
    expect(g.isEmpty()).toBe(false);
    expect(g.take()).toEqual([
      { x: 0, y: 0, w: 32, h: 16 },
      { x: 16, y: 16, w: 16, h: 16 },
    ]);
    expect(g.isEmpty()).toBe(true);
  });

  it('clips to the surface and reports full coverage as one rectangle', () => {
    const g = new DirtyGrid(100, 50, 16);
    g.add({ x: 90, y: 40, w: 100, h: 100 });
    expect(g.take()).toEqual([{ x: 80, y: 32, w: 20, h: 18 }]);
    g.add({ x: -10, y: -10, w: 500, h: 500 });
    expect(g.take()).toEqual([{ x: 0, y: 0, w: 100, h: 50 }]);
    g.addAll();
    g.resize(40, 30);
    expect(g.isEmpty()).toBe(true);
    g.addAll();
    expect(g.take()).toEqual([{ x: 0, y: 0, w: 40, h: 30 }]);
  });
});
