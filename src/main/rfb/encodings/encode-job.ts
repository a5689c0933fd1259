import { PixelConverter, type PixelFormat } from '../pixel-format.js';
import { ByteWriter } from '../wire.js';
import type { Encoder, EncoderState } from './encoder.js';
import { Encoding } from '../constants.js';
import { TrleEncoder } from './trle.js';
import { ZrleEncoder, ZRLE_STREAM } from './zrle.js';
import { compressIndependentSync, type DeflateSink } from './zlib-stream.js';

/**
 * The encodings a unit may be sent to a worker in (unit-reuse.ts asks), each
 * with how to make its encoder and the zlib streams its payload continues.
 * Only these load in a worker: one that loaded every encoder (JPEG, PNG and
 * the logger with them) took about 175 ms of CPU to start, the first frame
 * of the first viewer waiting for it.
 */
export const WORKER_ENCODINGS: ReadonlyMap<number, { readonly make: () => Encoder; readonly streams: readonly string[] }> = new Map([
  [Encoding.ZRLE, { make: () => new ZrleEncoder(), streams: [ZRLE_STREAM] }],
  [Encoding.TRLE, { make: () => new TrleEncoder(), streams: [] }],
]);

/** One unit's pixel work sent to an encode worker: everything the payload depends on. */
export interface EncodeJob {
  readonly encoding: number;
  readonly pf: PixelFormat;
  /** zlib level for the payload's independent chunks. */
  readonly level: number;
  readonly w: number;
  readonly h: number;
  /** Client pixel values, w × h, row-major. */
  readonly pixels: Uint32Array;
  /** The area keeps changing (EncodeInput.busy). */
  readonly busy?: boolean;
}

/**
 * Runs encode jobs the way an encoder runs on the main thread, except that
 * every zlib chunk is independent (compressIndependent's format, made here
 * with compressIndependentSync since this is a worker thread): the payload then
 * suits any viewer whose streams have begun, as a shared rectangle does.
 * Encoders and converters are kept per encoding and format.
 */
export class EncodeJobRunner {
  private readonly encoders = new Map<number, Encoder>();
  private readonly converters = new Map<string, PixelConverter>();
  private readonly out = new ByteWriter(256 * 1024);

  async run(job: EncodeJob): Promise<Buffer> {
    const encoder = this.encoder(job.encoding);
    const converter = this.converter(job.pf);
    const state: EncoderState = {
      zlib: (_name: string, want?: number, memLevel = 9): DeflateSink => ({
        compress: (data, hint) => Promise.resolve(compressIndependentSync(data, want ?? job.level, memLevel, hint)),
        compressWithLength: (data, hint) => {
          const b = compressIndependentSync(data, want ?? job.level, memLevel, hint, 4);
          b.writeUInt32BE(b.length - 4, 0);
          return Promise.resolve(b);
        },
      }),
    };
    const out = this.out;
    out.reset();
    const outcome = encoder.encode({ rect: { x: 0, y: 0, w: job.w, h: job.h }, pixels: job.pixels, converter, state, compressLevel: job.level, deflateReadsAtOnce: true, busy: job.busy }, out);
    if (outcome === 'written') return Buffer.from(out.view());
    if (outcome === 'too-big') throw new Error(`${encoder.name} gave up on a rectangle it must always encode`);
    return outcome;
  }

  private encoder(encoding: number): Encoder {
    let e = this.encoders.get(encoding);
    if (!e) {
      e = WORKER_ENCODINGS.get(encoding)?.make();
      if (!e) throw new Error(`encoding ${encoding} is not one the encode workers run`);
      this.encoders.set(encoding, e);
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
