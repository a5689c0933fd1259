/**
 * The picture the player shows, as RGBA bytes — what a canvas's ImageData
 * holds — with the drawing methods of noVNC's Display that its decoders call.
 * A recording's pixels are R, G, B, X bytes already (docs/recording-format.md),
 * so drawing is copying, with alpha set to opaque. No DOM here: the canvas
 * wraps `data` in an ImageData (player/canvas-view.ts), and tests run this in
 * Node.
 */
export class FrameBuffer implements NoVnc.DecoderDisplay {
  width: number;
  height: number;
  data: Uint8ClampedArray<ArrayBuffer>;
  /** Changed by every draw (the view repaints only when it moved on). */
  version = 0;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.data = blank(width, height);
  }

  /** A new size (DesktopSize, or a keyframe of another size): the overlapping top-left part is kept, the rest black. */
  resize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    const next = blank(width, height);
    const w = Math.min(width, this.width) * 4;
    for (let y = 0; y < Math.min(height, this.height); y++) {
      next.set(this.data.subarray(y * this.width * 4, y * this.width * 4 + w), y * width * 4);
    }
    this.width = width;
    this.height = height;
    this.data = next;
    this.version++;
  }

  /** All black (before the first keyframe). */
  clear(): void {
    this.data = blank(this.width, this.height);
    this.version++;
  }

  fillRect(x: number, y: number, width: number, height: number, color: ArrayLike<number>): void {
    this.check(x, y, width, height);
    if (width === 0 || height === 0) return;
    // Fill the first row pixel by pixel, then copy it down.
    const d = this.data;
    const row = (y * this.width + x) * 4;
    for (let i = 0; i < width; i++) {
      const o = row + i * 4;
      d[o] = color[0]!;
      d[o + 1] = color[1]!;
      d[o + 2] = color[2]!;
      d[o + 3] = 255;
    }
    for (let j = 1; j < height; j++) d.copyWithin(row + j * this.width * 4, row, row + width * 4);
    this.version++;
  }

  blitImage(x: number, y: number, width: number, height: number, arr: Uint8Array, offset: number): void {
    this.check(x, y, width, height);
    const d = this.data;
    const line = width * 4;
    for (let j = 0; j < height; j++) {
      const o = ((y + j) * this.width + x) * 4;
      d.set(arr.subarray(offset + j * line, offset + (j + 1) * line), o);
      // The fourth byte is padding in the recording's format: the picture is opaque.
      for (let i = 3; i < line; i += 4) d[o + i] = 255;
    }
    this.version++;
  }

  copyImage(oldX: number, oldY: number, newX: number, newY: number, width: number, height: number): void {
    this.check(oldX, oldY, width, height);
    this.check(newX, newY, width, height);
    const d = this.data;
    const stride = this.width * 4;
    const line = width * 4;
    // CopyRect reads the source as it was before the copy: when moving down, copy the bottom row first.
    const down = newY > oldY;
    for (let k = 0; k < height; k++) {
      const j = down ? height - 1 - k : k;
      const from = (oldY + j) * stride + oldX * 4;
      d.copyWithin((newY + j) * stride + newX * 4, from, from + line);
    }
    this.version++;
  }

  /** Drawing outside the picture means a damaged recording: refuse rather than wrap around rows. */
  private check(x: number, y: number, w: number, h: number): void {
    if (x < 0 || y < 0 || w < 0 || h < 0 || x + w > this.width || y + h > this.height) {
      throw new RangeError(`a rectangle ${w}×${h} at ${x},${y} lies outside the ${this.width}×${this.height} picture`);
    }
  }
}

function blank(width: number, height: number): Uint8ClampedArray<ArrayBuffer> {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  return data;
}
