// Minimal hand-written types for the three noVNC rectangle decoders the
// recording player runs (@novnc/novnc ships plain JavaScript and no types).
// Only what the player passes in and calls is typed.

declare namespace NoVnc {
  /** The receive-queue methods of noVNC's Websock that its decoders call. */
  interface ReceiveQueue {
    /** True when fewer than `num` bytes are queued (the decoder then returns false and waits). */
    rQwait(msg: string, num: number, goback?: number): boolean;
    rQpeek8(): number;
    rQshift8(): number;
    rQshift16(): number;
    rQshift32(): number;
    /** `copy` false: a view into the queue, which the decoders may write into. */
    rQshiftBytes(len: number, copy?: boolean): Uint8Array;
    rQpeekBytes(len: number, copy?: boolean): Uint8Array;
  }

  /** The drawing methods of noVNC's Display that its decoders call; colours and pixels are R, G, B, A bytes. */
  interface DecoderDisplay {
    fillRect(x: number, y: number, width: number, height: number, color: ArrayLike<number>): void;
    blitImage(x: number, y: number, width: number, height: number, arr: Uint8Array, offset: number): void;
    copyImage(oldX: number, oldY: number, newX: number, newY: number, width: number, height: number): void;
  }

  /** One rectangle decoder: false means "more bytes needed, call again". */
  interface RectDecoder {
    decodeRect(x: number, y: number, width: number, height: number, sock: ReceiveQueue, display: DecoderDisplay, depth: number): boolean;
  }

  type RectDecoderClass = new () => RectDecoder;
}

declare module '@novnc/novnc/core/decoders/raw.js' {
  const RawDecoder: NoVnc.RectDecoderClass;
  export default RawDecoder;
}

declare module '@novnc/novnc/core/decoders/copyrect.js' {
  const CopyRectDecoder: NoVnc.RectDecoderClass;
  export default CopyRectDecoder;
}

declare module '@novnc/novnc/core/decoders/hextile.js' {
  const HextileDecoder: NoVnc.RectDecoderClass;
  export default HextileDecoder;
}
