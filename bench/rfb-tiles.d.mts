// Types for bench/rfb-tiles.mjs, for the tests that check it.

export class ProtocolError extends Error {}

export function hextileTileLen(buf: Uint8Array, off: number, tw: number, th: number): number;

export function trleTileLen(buf: Uint8Array, off: number, tw: number, th: number, state: { palette: number }): number;

export interface TightRectLen {
  /** Bytes parsed here: the control byte, filter, palette, compact length. */
  header: number;
  /** Bytes that follow: zlib, JPEG or PNG data, or basic data under 12 bytes. */
  payload: number;
  kind: 'fill' | 'jpeg' | 'png' | 'copy' | 'mono' | 'palette' | 'gradient';
  /** The control byte's low 4 bits: zlib streams the client resets. */
  resets: number;
}

export function tightRectLen(buf: Uint8Array, off: number, w: number, h: number): TightRectLen | null;
