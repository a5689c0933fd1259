/** A cursor image: straight (non-premultiplied) ARGB, 0xAARRGGBB per pixel. */
export interface CursorImage {
  width: number;
  height: number;
  hotX: number;
  hotY: number;
  pixels: Uint32Array;
  /** Changes whenever the shape changes. */
  serial: number;
}
