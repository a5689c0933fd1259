/**
 * An RFB PIXEL_FORMAT (RFC 6143 §7.4): how a client wants pixel values laid
 * out. The server converts to it (src/main/rfb/pixel-format.ts) and the
 * control API reports it for each client.
 */
export interface PixelFormat {
  bitsPerPixel: 8 | 16 | 32;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}
