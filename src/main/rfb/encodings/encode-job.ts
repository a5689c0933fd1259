import type { Rect } from '../../framebuffer/rect.js';
import { PixelConverter, type PixelFormat } from '../pixel-format.js';
import { writeRectHeader } from '../server-messages.js';
import { ByteWriter } from '../wire.js';
import type { EncodeInput, Encoder, EncoderState, Piece } from './encoder.js';
import type { ClosableEncoderState } from './encoder-state.js';
import { Encoding } from '../constants.js';
import { TrleEncoder } from './trle.js';
import { ZrleEncoder, ZRLE_STREAM } from './zrle.js';
import { TIGHT_STREAMS } from './tight-wire.js';
import { tightStreamOpener } from './tight-streams.js';
import { cutBlock, cutUnit } from './units.js';
import { compressIndependentSync, type DeflateSink } from './zlib-stream.js';

/**
 * An encoding the workers run. Its payloads' zlib chunks are independent (no
 * header, nothing referred to before them), continuing `streams`, which the
 * connection must have begun. With `cuts`, the worker cuts the unit as the
 * encoder's `pieces` says (Tight) and answers with all the rectangles,
 * headers and all; otherwise the unit is one rectangle and the answer its
 * payload.
 */
export interface WorkerEncoding {
  readonly load: () => Encoder | Promise<Encoder>;
  readonly streams: readonly string[];
  readonly cuts: boolean;
  /** A rectangle that begins stream `name` on the connection (tight-streams.ts), so a unit can go to a worker before the connection has used the stream. */
  readonly open?: StreamOpener;
}

export type StreamOpener = (name: string, px: Uint32Array, unit: Rect, converter: PixelConverter, state: ClosableEncoderState, compressLevel: number | undefined) => { rect: Rect; payload: Buffer } | null;

/**
 * The encodings a unit may be sent to a worker in (unit-reuse.ts asks).
 * Only these load in a worker, and Tight (with libjpeg-turbo and the
 * logger) only when its first job comes: a worker that loaded every encoder
 * at start took about 175 ms of CPU, the first frame of the first viewer
 * waiting for it.
 */
export const WORKER_ENCODINGS: ReadonlyMap<number, WorkerEncoding> = new Map<number, WorkerEncoding>([
  [Encoding.ZRLE, { load: () => new ZrleEncoder(), streams: [ZRLE_STREAM], cuts: false }],
  [Encoding.TRLE, { load: () => new TrleEncoder(), streams: [], cuts: false }],
  [Encoding.Tight, { load: () => import('./tight.js').then((m) => new m.TightEncoder()), streams: TIGHT_STREAMS, cuts: true, open: tightStreamOpener }],
]);

/** One unit's pixel work sent to an encode worker: everything the payload depends on. */
export interface EncodeJob {
  readonly encoding: number;
  readonly pf: PixelFormat;
  /** zlib level for the payload's chunks where the encoder names none. */
  readonly level: number;
  /** The unit's place on the screen (the rectangle headers of a job that `cuts` carry it). */
  readonly x?: number;
  readonly y?: number;
  readonly w: number;
  readonly h: number;
  /** Client pixel values, w × h, row-major. */
  readonly pixels: Uint32Array;
  /** The area keeps changing (EncodeInput.busy). */
  readonly busy?: boolean;
  /** The client's SetEncodings list, for encoders that read pseudo-encodings (Tight's JPEG quality). */
  readonly encodings?: readonly number[];
  /** The zlib level the client asked for (EncodeInput.compressLevel). */
  readonly compressLevel?: number;
  /** EncodeInput.lossless. */
  readonly lossless?: boolean;
  /**
   * Shared memory for the payload (payload-slots.ts), reused by the event
   * loop once the bytes are written: the payload goes at its start where it
   * fits, and comes back as a view of it.
   */
  readonly out?: Uint8Array;
}

/** One rectangle of a cut job's payload: where it is, and its bytes with the 12-byte header. */
export interface JobRect extends Rect {
  readonly encoding: number;
  readonly bytes: number;
  /** Sent as an approximation (JPEG). */
  readonly lossy: boolean;
}

/** A job's answer: the unit's payload (no header), or the rectangles it was cut into, headers and all. */
export interface JobResult {
  readonly payload: Buffer;
  readonly rects?: readonly JobRect[];
}

/**
 * `bytes` as the job's payload: at the start of `slot` (if not there already)
 * where it fits, else in a buffer of its own: `bytes` itself if `own` (a
 * buffer nothing else uses), else a copy (the runner's reused output).
 */
function inSlot(bytes: Buffer, slot: Uint8Array | undefined, own: boolean): Buffer {
  if (slot && bytes.buffer === slot.buffer && bytes.byteOffset === slot.byteOffset) return bytes;
  if (slot && bytes.length <= slot.length) {
    slot.set(bytes);
    return Buffer.from(slot.buffer, slot.byteOffset, bytes.length);
  }
  return own ? bytes : Buffer.from(bytes);
}

/**
 * Runs encode jobs the way an encoder runs on the main thread, except that
 * every zlib chunk is independent (compressIndependent's format, made here
 * with compressIndependentSync since this is a worker thread): the payload
 * then suits any viewer whose streams have begun, as a shared rectangle does.
 * Encoders and converters are kept per encoding and format.
 */
export class EncodeJobRunner {
  private readonly encoders = new Map<number, Encoder>();
  private readonly lists = new Map<number, string>();
  private readonly converters = new Map<string, PixelConverter>();
  private readonly out = new ByteWriter(256 * 1024);
  private scratch = new Uint32Array(0);

  private queue: Promise<unknown> = Promise.resolve();

  /** Run `job` once those before it are done: jobs share this runner's output buffer. */
  run(job: EncodeJob): Promise<JobResult> {
    const result = this.queue.then(() => this.runNow(job));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(job: EncodeJob): Promise<JobResult> {
    const how = WORKER_ENCODINGS.get(job.encoding);
    if (!how) throw new Error(`encoding ${job.encoding} is not one the encode workers run`);
    const encoder = await this.encoder(job, how);
    const converter = this.converter(job.pf);
    // A whole unit's payload is its one zlib chunk: deflated straight into `job.out`. (A cut unit's
    // chunks are copied into `out` with the rectangles, and the whole goes into `job.out` after.)
    let into = how.cuts ? null : (job.out ?? null);
    const intoOnce = (): Uint8Array | null => {
      const slot = into;
      into = null;
      return slot;
    };
    const state: EncoderState = {
      zlib: (_name: string, want?: number, memLevel = 9): DeflateSink => ({
        compress: (data, hint) => Promise.resolve(compressIndependentSync(data, want ?? job.level, memLevel, hint, 0, intoOnce())),
        compressWithLength: (data, hint) => {
          const b = compressIndependentSync(data, want ?? job.level, memLevel, hint, 4, intoOnce());
          b.writeUInt32BE(b.length - 4, 0);
          return Promise.resolve(b);
        },
      }),
    };
    const out = this.out;
    out.reset();
    const unit = { x: job.x ?? 0, y: job.y ?? 0, w: job.w, h: job.h };
    const input = { converter, state, compressLevel: job.compressLevel ?? job.level, deflateReadsAtOnce: true, busy: job.busy, lossless: job.lossless };
    if (how.cuts) {
      const rects = await this.pieces(encoder, unit, job.pixels, input);
      return { payload: inSlot(out.view(), job.out, false), rects };
    }
    const outcome = encoder.encode({ ...input, rect: unit, pixels: job.pixels }, out);
    if (outcome === 'written') return { payload: inSlot(out.view(), job.out, false) };
    if (outcome === 'too-big') throw new Error(`${encoder.name} gave up on a rectangle it must always encode`);
    return { payload: inSlot(await outcome, job.out, true) };
  }

  /** The unit cut as the encoder cuts it (EncodeManager's loop), every rectangle with its header, into `out`. */
  private async pieces(encoder: Encoder, unit: Rect, px: Uint32Array, input: Omit<EncodeInput, 'rect' | 'pixels'>): Promise<JobRect[]> {
    const pieces: readonly Piece[] = cutUnit(encoder, px, unit) ?? [unit];
    const out = this.out;
    const rects: JobRect[] = [];
    for (const piece of pieces) {
      let pp = px;
      if (pieces.length > 1) {
        if (this.scratch.length < piece.w * piece.h) this.scratch = new Uint32Array(piece.w * piece.h);
        pp = cutBlock(px, unit, piece, this.scratch);
      }
      const before = out.length;
      writeRectHeader(out, piece, encoder.encoding);
      const outcome = encoder.encode({ ...input, rect: piece, pixels: pp, photo: piece.photo }, out);
      if (outcome === 'too-big') throw new Error(`${encoder.name} gave up on a rectangle it must always encode`);
      if (outcome !== 'written') out.bytes(await outcome);
      rects.push({ ...piece, encoding: encoder.encoding, bytes: out.length - before, lossy: encoder.lossy === true });
    }
    return rects;
  }

  private async encoder(job: EncodeJob, how: WorkerEncoding): Promise<Encoder> {
    let e = this.encoders.get(job.encoding);
    if (!e) {
      e = await how.load();
      this.encoders.set(job.encoding, e);
    }
    // One encoder serves every connection: it reads each job's list (kept while the lists repeat).
    const list = job.encodings?.join(',') ?? '';
    if (e.setEncodings && this.lists.get(job.encoding) !== list) {
      e.setEncodings(job.encodings ?? []);
      this.lists.set(job.encoding, list);
    }
    return e;
  }

  private converter(pf: PixelFormat): PixelConverter {
    const key = JSON.stringify(pf);
    let c = this.converters.get(key);
    if (!c) {
      c = new PixelConverter(pf);
      this.converters.set(key, c);
    }
    return c;
  }
}
