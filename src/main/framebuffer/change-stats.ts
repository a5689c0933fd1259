/** Counters from the last `ChangeDetector.detect` call (for metrics and tests). */
export interface ChangeDetectorStats {
  /** Tiles (or their parts inside hints) compared with the previous frame. */
  tilesCompared: number;
  /** Of those, tiles found changed. */
  tilesChanged: number;
  /** Pixels copied into the kept previous frame. */
  pixelsCopied: number;
  /** Rectangles returned (not counting copies). */
  rects: number;
  /** Copies returned (`detectWithCopies` only). */
  copies: number;
  /** Of the copies, rectangles that moved sideways (windows). */
  moves: number;
  /** Areas searched for a scroll (`detectWithCopies` only). */
  scrollAreas: number;
}

export function emptyChangeStats(): ChangeDetectorStats {
  return { tilesCompared: 0, tilesChanged: 0, pixelsCopied: 0, rects: 0, copies: 0, moves: 0, scrollAreas: 0 };
}
