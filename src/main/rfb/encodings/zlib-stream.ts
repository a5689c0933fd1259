import zlib from 'node:zlib';
import { NATIVE_HUFFMAN_MEM_LEVEL, NATIVE_LEVEL_2, nativeDeflate } from './native-deflate.js';

/**
 * What the data is like, for a deflater free to pick its strategy (an
 * independent chunk): 'photo' is mostly raw photo-like pixels; 'moving-photo'
 * the same in an area that keeps changing (a video), soon replaced.
 */
export type DeflateHint = 'photo' | 'moving-photo';

/** What an encoder compresses through: the next part of one of the connection's zlib streams. */
export interface DeflateSink {
  /** Compress `data` as the next part of the stream; resolves to the flushed bytes. Do not modify `data` until then. */
  compress(data: Uint8Array, hint?: DeflateHint): Promise<Buffer>;
  /** The same, prefixed with its u32 length (ZRLE's and Zlib's payload), where the sink can do so without a copy. */
  compressWithLength?(data: Uint8Array, hint?: DeflateHint): Promise<Buffer>;
}

/**
 * The deflate strategy for an independent chunk. Unless the client asked for
 * strong compression (level 6 and up), photo-like data gets Huffman coding
 * alone where string matching costs much for little:
 * - with Node's zlib, always (a 480×270 photo-like area of ZRLE tiles: 3.9 ms
 *   and 300 KB against 9.4 ms and 274 KB with string matching at level 2);
 * - with the system zlib (`native`), which finds far more in the same tiles
 *   (177 KB in 5.7 ms against 318 KB in 3.3 ms), only where the area keeps
 *   changing: bytes that stay on screen are worth the time, a video's frame
 *   replaced 40 ms later is not.
 */
export function strategyFor(hint: DeflateHint | undefined, level: number, native = false): number {
  const huffman = level < 6 && (hint === 'moving-photo' || (hint === 'photo' && !native));
  return huffman ? zlib.constants.Z_HUFFMAN_ONLY : zlib.constants.Z_DEFAULT_STRATEGY;
}

const OPTIONS = {
  // Every write is sync-flushed, so one write is one round trip to the
  // thread pool (a separate flush() would cost a second one, and each needs
  // the event loop free to start). Big enough output buffers keep a whole
  // rectangle's output to one pass as well.
  flush: zlib.constants.Z_SYNC_FLUSH,
  chunkSize: 256 * 1024,
} as const;

/** One deflate object and the output it has produced since its last write finished. */
class Deflater {
  private chunks: Buffer[] = [];
  private failed: Error | null = null;
  private inFlight = 0;
  private closeWhenIdle = false;
  private closed = false;

  constructor(private readonly deflate: zlib.Deflate | zlib.DeflateRaw) {
    deflate.on('data', (c: Buffer) => this.chunks.push(c));
    deflate.on('error', (e: Error) => (this.failed = e));
  }

  compress(data: Uint8Array): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (this.failed) return reject(this.failed);
      if (this.closed) return reject(new Error('zlib stream closed'));
      this.inFlight++;
      const done = (err?: Error | null): void => {
        this.inFlight--;
        if (err) this.failed ??= err;
        const out = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
        this.chunks = [];
        if (this.closeWhenIdle && this.inFlight === 0) this.close();
        if (this.failed) return reject(this.failed);
        if (this.closed && !this.closeWhenIdle) return reject(new Error('zlib stream closed'));
        resolve(out);
      };
      if (data.length > 0) this.deflate.write(data, done);
      else this.deflate.flush(zlib.constants.Z_SYNC_FLUSH, done);
    });
  }

  /** Close once the writes already issued have resolved (their bytes are still wanted). */
  retire(): void {
    this.closeWhenIdle = true;
    if (this.inFlight === 0) this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.deflate.close();
  }
}

/**
 * One persistent deflate stream. Each `compress()` emits a sync-flushed chunk
 * that continues the same zlib stream, as ZRLE and Zlib require. The work runs
 * on libuv's thread pool, so the event loop stays free during big frames.
 *
 * Calls may be issued back to back without awaiting: Node's writable queue
 * keeps them in order, and a write's callback fires after all of its output
 * and before any output of the next write, so each call resolves with exactly
 * its own bytes. Input is referenced, not copied: do not modify it until the
 * call resolves.
 *
 * Chunks compressed elsewhere may be sent into the client's stream between
 * ours (`diverged()`): one encoding shared by several viewers. Those are made
 * by `compressIndependent`, so they refer to nothing before them; ours must
 * not refer to them either, since our deflater never saw their data. So the
 * next chunk of ours comes from a fresh raw deflater (no zlib header: the
 * client's inflater has had that), which refers to nothing before it. The
 * stream may even begin elsewhere (`begunElsewhere()`: Tight's stream
 * openers). A deflater is made on the first chunk of ours, not before: a
 * zlib deflate state is some 400 KB of memory to set up, and a stream only
 * ever fed from elsewhere needs none.
 */
export class ZlibStream implements DeflateSink {
  readonly level: number;
  readonly memLevel: number;
  private current: Deflater | null = null;
  private calls = 0;
  private fresh = false;
  private closed = false;

  /**
   * `memLevel` (1..9) sizes deflate's hash table and, what matters more for
   * the output, its blocks: a block ends every 2^(memLevel+6) symbols, and
   * each block gets Huffman codes of its own. Short blocks suit input whose
   * statistics change every few KiB (ZRLE's mix of tile headers, palettes and
   * raw photo tiles); raw pixels compress best with the largest.
   */
  constructor(level: number, memLevel = 9) {
    this.level = level;
    this.memLevel = memLevel;
  }

  /** Whether the stream has begun (its zlib header is on its way to the client), so foreign chunks may follow. */
  get started(): boolean {
    return this.calls > 0;
  }

  compress(data: Uint8Array): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('zlib stream closed'));
    if (this.fresh || !this.current) {
      const options = { level: this.level, memLevel: this.memLevel, ...OPTIONS };
      // After foreign chunks (or a start made elsewhere) a raw deflater: the client has had the header.
      this.current?.retire();
      this.current = new Deflater(this.fresh ? zlib.createDeflateRaw(options) : zlib.createDeflate(options));
      this.fresh = false;
    }
    this.calls++;
    return this.current.compress(data);
  }

  /** Independent chunks (compressIndependent) were put into the client's stream after ours: refer to none of it from now on. */
  diverged(): void {
    this.fresh = true;
  }

  /** The client's stream was begun with bytes made elsewhere (a zlib header and whole blocks): ours continue it without a header. */
  begunElsewhere(): void {
    this.calls++;
    this.fresh = true;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.current?.close();
  }
}

/**
 * compressIndependent's chunk, made synchronously on the calling thread (an
 * encode worker's): through the system zlib where its addon is built
 * (native-deflate.ts; level 2 as NATIVE_LEVEL_2 tunes it, Huffman coding
 * with NATIVE_HUFFMAN_MEM_LEVEL), else Node's. The result starts with
 * `prefix` zero bytes, room for a length. Given `into`, the system zlib's
 * chunk is written there and the result is a view of it, where it fits
 * (payload-slots.ts: memory reused rather than fresh pages each time).
 */
export function compressIndependentSync(data: Uint8Array, level: number, memLevel = 9, hint?: DeflateHint, prefix = 0, into: Uint8Array | null = null): Buffer {
  if (nativeDeflate) {
    const strategy = strategyFor(hint, level, true);
    const huffman = strategy === zlib.constants.Z_HUFFMAN_ONLY;
    const mem = huffman ? NATIVE_HUFFMAN_MEM_LEVEL : level === 2 ? NATIVE_LEVEL_2.memLevel : memLevel;
    const tune = !huffman && level === 2 ? NATIVE_LEVEL_2.tune : null;
    if (into) {
      const n = nativeDeflate.deflateRawChunkInto(data, level, mem, strategy, tune, prefix, into);
      if (n >= 0) return Buffer.from(into.buffer, into.byteOffset, n);
    }
    return nativeDeflate.deflateRawChunk(data, level, mem, strategy, tune, prefix);
  }
  // One output chunk as big as the input (deflate's output hardly ever exceeds it): not a list of 16 KiB ones joined afterwards.
  const chunkSize = Math.max(zlib.constants.Z_MIN_CHUNK, data.length + 1024);
  const out = zlib.deflateRawSync(data, { level, memLevel, strategy: strategyFor(hint, level), finishFlush: zlib.constants.Z_SYNC_FLUSH, chunkSize });
  if (prefix === 0) return out;
  const b = Buffer.alloc(prefix + out.length);
  out.copy(b, prefix);
  return b;
}

/**
 * `data` deflated on its own: raw deflate blocks, not final, ending in a sync
 * flush, referring to nothing before them. Such a chunk continues any zlib
 * stream that has begun and ended its last chunk with a sync flush, so one
 * chunk serves every viewer whose stream is at that point (see ZlibStream).
 */
export function compressIndependent(data: Uint8Array, level: number, memLevel = 9, hint?: DeflateHint): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const strategy = strategyFor(hint, level);
    zlib.deflateRaw(data, { level, memLevel, strategy, finishFlush: zlib.constants.Z_SYNC_FLUSH }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}
