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

/** Whether there is no cursor to show (none known, or 0×0: the pointer is hidden). */
export function isEmptyCursor(cursor: CursorImage | null): cursor is null {
  return !cursor || cursor.width <= 0 || cursor.height <= 0;
}
