/**
 * A captured desktop image in the server's native format: 32 bits per pixel,
 * one uint32 per pixel holding 0x00RRGGBB (BGRX bytes in memory on a
 * little-endian host, which is what X servers hand out). Byte 3 is zero:
 * every source clears it when it fills the frame (X padding, or alpha on a
 * depth-32 visual), so encoders and the identity conversion need not.
 */
export interface Frame {
  readonly width: number;
  readonly height: number;
  /** Row-major pixels; row y starts at y * stride. */
  readonly pixels: Uint32Array;
  /** Pixels per row (≥ width). */
  readonly stride: number;
}

export function createFrame(width: number, height: number): Frame {
  return { width, height, pixels: new Uint32Array(width * height), stride: width };
}

