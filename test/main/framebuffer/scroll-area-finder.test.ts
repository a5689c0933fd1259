import { describe, expect, it } from 'vitest';
import { ScrollAreaFinder, type ChangedTiles } from '../../../src/main/framebuffer/scroll-area-finder.js';

const T = 10;

/** A cols × rows grid of T-pixel tiles where the tiles marked '#' changed (whole tiles). */
function grid(...lines: string[]): ChangedTiles {
  const rows = lines.length;
  const cols = lines[0]!.length;
  const box = new Int32Array(cols * rows * 4);
  for (let ty = 0; ty < rows; ty++) {
    for (let tx = 0; tx < cols; tx++) box.set([tx * T, ty * T, tx * T + T, ty * T + T], (ty * cols + tx) * 4);
  }
  return { tileSize: T, cols, rows, box, isChanged: (t) => lines[Math.floor(t / cols)]![t % cols] === '#' };
}

const sortAreas = <R extends { x: number; y: number }>(rs: R[]): R[] => [...rs].sort((a, b) => a.y - b.y || a.x - b.x);

describe('ScrollAreaFinder', () => {
  it('cuts changes apart along tile rows and columns without changes', () => {
    const areas = new ScrollAreaFinder().find(
      grid(
        '##...', //
        '##..#',
        '....#',
        '###..',
      ),
      10,
      10,
    );
    expect(sortAreas(areas)).toEqual([
      { x: 0, y: 0, w: 20, h: 20 },
      { x: 40, y: 10, w: 10, h: 20 },
      { x: 0, y: 30, w: 30, h: 10 },
    ]);
  });

  it('keeps one area where every tile row and column of it holds a change', () => {
    expect(new ScrollAreaFinder().find(grid('#..', '.#.', '..#'), 10, 10)).toEqual([{ x: 0, y: 0, w: 30, h: 30 }]);
  });

  it('leaves out areas too narrow or too low for a scroll', () => {
    const finder = new ScrollAreaFinder();
    expect(finder.find(grid('##...', '.....', '....#'), 20, 10)).toEqual([{ x: 0, y: 0, w: 20, h: 10 }]);
    expect(finder.find(grid('##...', '.....', '....#'), 10, 11)).toEqual([]);
  });

  it('returns the largest sixteen of many separate changes', () => {
    // a 2×2 block, then 20 single tiles
    const lines: string[] = Array.from({ length: 10 }, (_, r) => (r % 2 === 1 && r > 1 ? '#.#.#.#.#.' : '..........'));
    lines[0] = '##........';
    lines[1] = '##........';
    const areas = new ScrollAreaFinder().find(grid(...lines), 10, 10);
    expect(areas).toHaveLength(16);
    expect(areas[0]).toEqual({ x: 0, y: 0, w: 20, h: 20 });
    expect(areas.slice(1).every((a) => a.w === 10 && a.h === 10)).toBe(true);
  });
});
