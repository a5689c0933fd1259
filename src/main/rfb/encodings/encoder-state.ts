import type { EncoderState } from './encoder.js';
import { compressIndependent, ZlibStream, type DeflateSink } from './zlib-stream.js';

/**
 * zlib level used when neither the server nor the client chose one. 2 is what
 * noVNC and TigerVNC's viewer ask for by default; on ZRLE data higher levels
 * save about 1 % for up to several times the deflate time.
 */
export const DEFAULT_ZLIB_LEVEL = 2;

/** Per-connection encoder state whose streams are closed with the connection; after close() it opens no more. */
export interface ClosableEncoderState extends EncoderState {
  /** The level a stream gets when its first user names none. */
  readonly level: number;
  zlib(name: string, level?: number, memLevel?: number): ZlibStream;
  /** The named stream if it exists (without creating it). */
  existing(name: string): ZlibStream | undefined;
  close(): void;
}

/** Encoder state that creates each named deflate stream on first use, at `level` unless the caller asks otherwise. */
export function createEncoderState(level: number = DEFAULT_ZLIB_LEVEL): ClosableEncoderState {
  const streams = new Map<string, ZlibStream>();
  let closed = false;
  return {
    level,
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
    existing(name: string): ZlibStream | undefined {
      return streams.get(name);
    },
    close(): void {
      closed = true;
      for (const s of streams.values()) s.close();
      streams.clear();
    },
  };
}

/**
 * The state an encoder gets while it encodes a rectangle for sharing with
 * other viewers (shared-encodes.ts): each stream it compresses through yields
 * independent chunks, which any viewer's begun stream can carry. A stream the
 * connection has not begun yet is used as it is (its first chunk carries the
 * zlib header), and then the result is this viewer's alone (`shareable` false).
 */
export class SharingEncoderState implements EncoderState {
  /** Streams the rectangle's payload continues with independent chunks. */
  readonly streams: string[] = [];
  shareable = true;

  constructor(private readonly own: ClosableEncoderState) {}

  zlib(name: string, want?: number, memLevel?: number): DeflateSink {
    const s = this.own.existing(name);
    if (!s?.started) {
      this.shareable = false;
      return this.own.zlib(name, want, memLevel);
    }
    if (!this.streams.includes(name)) this.streams.push(name);
    // The level follows from the sharers' common settings, whatever level this connection's stream was made with.
    const level = want ?? this.own.level;
    return { compress: (data, hint) => compressIndependent(data, level, memLevel, hint) };
  }
}

/** Independent chunks went into these streams of the connection: its own deflaters must not refer back past them. */
export function divergeStreams(state: ClosableEncoderState, names: readonly string[]): void {
  for (const n of names) state.existing(n)?.diverged();
}
