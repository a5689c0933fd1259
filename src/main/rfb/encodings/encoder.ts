import type { Rect } from '../../framebuffer/rect.js';
import type { PixelConverter } from '../pixel-format.js';
import type { ByteWriter } from '../wire.js';
import type { ZlibStream } from './zlib-stream.js';

/** Per-connection state that encoders keep across updates (RFC 6143 requires persistent zlib streams). */
export interface EncoderState {
  /**
   * Get (creating on first use) the named persistent deflate stream of this
   * connection. `level` applies only when the stream is created; omitted, the
   * state's default is used.
   */
  zlib(name: string, level?: number): ZlibStream;
}

/** One rectangle to encode, already converted to the client's pixel values. */
export interface EncodeInput {
  /** Position and size in framebuffer coordinates (used for the rectangle header by the manager). */
  readonly rect: Rect;
  /** Client pixel values, rect.w × rect.h, row-major. */
  readonly pixels: Uint32Array;
  readonly converter: PixelConverter;
  readonly state: EncoderState;
  /** zlib level the client asked for (CompressLevel pseudo-encoding), used when a stream is first created. */
  readonly compressLevel?: number;
}

/**
 * An RFB encoding. The encoder writes only the rectangle's payload (what follows
 * the 12-byte rectangle header); the encode manager writes the header and is the
 * only caller. Encoders never decide whether they are used.
 */
export interface Encoder {
  readonly encoding: number;
  readonly name: string;
  /** Largest rectangle the encoding can express; the manager splits larger ones. */
  readonly maxRect?: { w: number; h: number };
  encode(input: EncodeInput, out: ByteWriter): void | Promise<void>;
  /**
   * Encodings that can come out larger than Raw (RRE, CoRRE) offer this: encode
   * unless the payload would exceed `limit` bytes. Returns false when it gave
   * up; `out` then holds a partial payload the caller must discard.
   */
  encodeWithin?(input: EncodeInput, out: ByteWriter, limit: number): boolean;
  /**
   * Encodings that compress on a connection's shared stream offer this: do all
   * the work that reads `input.pixels` before returning, queue the compression,
   * and resolve to the complete payload. Payloads of successive calls resolve in
   * call order, so the caller can prepare the next rectangle (and reuse the
   * pixel buffer) while compression runs.
   */
  encodeDeferred?(input: EncodeInput): Promise<Buffer>;
}
