import type { ColourWriter } from './tight-wire.js';
import { CTL_EXPLICIT_FILTER, FILTER_PALETTE, STREAM_INDEXED, STREAM_MONO, packBits } from './tight-wire.js';

/** Most colours sent through the palette filter; beyond it the area counts as many-coloured. */
export const MAX_PALETTE = 16;

/** One rectangle's colours: found by `analyse`, then written by `paletteParts`. */
export class TightPalette {
  readonly colours = new Uint32Array(MAX_PALETTE);
  private indexes = new Uint8Array(4096);

  /**
   * Colours of the first n pixels: their count when at most MAX_PALETTE (the
   * palette and every pixel's index are then filled in), MAX_PALETTE + 1 for
   * more. The previous pixel's colour is checked first, so flat areas cost
   * one comparison per pixel.
   */
  analyse(px: Uint32Array, n: number): number {
    if (this.indexes.length < n) this.indexes = new Uint8Array(n);
    const { colours, indexes } = this;
    let count = 0;
    let last = -1;
    let lastIndex = 0;
    for (let i = 0; i < n; i++) {
      const p = px[i]!;
      if (p !== last) {
        let k = 0;
        while (k < count && colours[k] !== p) k++;
        if (k === count) {
          if (count === MAX_PALETTE) return MAX_PALETTE + 1;
          colours[count++] = p;
        }
        last = p;
        lastIndex = k;
      }
      indexes[i] = lastIndex;
    }
    return count;
  }

  /**
   * Basic compression with the palette filter, after `analyse` found
   * 2…MAX_PALETTE colours: the header (control byte, filter, colours) and the
   * data (one bit per pixel for two colours, a byte otherwise), and the stream.
   */
  parts(count: number, w: number, h: number, colour: ColourWriter): { head: Buffer; data: Buffer; stream: number } {
    const stream = count === 2 ? STREAM_MONO : STREAM_INDEXED;
    const head = Buffer.allocUnsafe(3 + count * colour.size);
    head[0] = (stream << 4) | CTL_EXPLICIT_FILTER;
    head[1] = FILTER_PALETTE;
    head[2] = count - 1;
    let o = 3;
    for (let i = 0; i < count; i++) o = colour.write(head, o, this.colours[i]!);
    const data = count === 2 ? packBits(this.indexes, w, h) : Buffer.from(this.indexes.subarray(0, w * h));
    return { head, data, stream };
  }

  /** The index of each pixel after `analyse` (valid for the first n). */
  get pixelIndexes(): Uint8Array {
    return this.indexes;
  }
}
