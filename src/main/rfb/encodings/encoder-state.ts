import type { EncoderState } from './encoder.js';
import { ZlibStream } from './zlib-stream.js';

/**
 * zlib level used when neither the server nor the client chose one. 2 is what
 * noVNC and TigerVNC's viewer ask for by default; on ZRLE data higher levels
 * save about 1 % for up to several times the deflate time.
 */
export const DEFAULT_ZLIB_LEVEL = 2;

/** Per-connection encoder state whose streams are closed with the connection; after close() it opens no more. */
export interface ClosableEncoderState extends EncoderState {
  close(): void;
}

/** Encoder state that creates each named deflate stream on first use, at `level` unless the caller asks otherwise. */
export function createEncoderState(level: number = DEFAULT_ZLIB_LEVEL): ClosableEncoderState {
  const streams = new Map<string, ZlibStream>();
  let closed = false;
  return {
    zlib(name: string, want?: number, memLevel?: number): ZlibStream {
      // An update still being encoded when its connection closed must not open a stream nobody will close.
      if (closed) throw new Error('the connection closed');
      let s = streams.get(name);
      if (!s) {
        s = new ZlibStream(want ?? level, memLevel);
        streams.set(name, s);
      }
      return s;
    },
    close(): void {
      closed = true;
      for (const s of streams.values()) s.close();
      streams.clear();
    },
  };
}
