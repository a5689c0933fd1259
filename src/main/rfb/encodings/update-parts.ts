import { ByteWriter } from '../wire.js';
import type { RectStats } from './encode-manager.js';

/**
 * The rectangles of one update as the manager writes them, in order, while
 * some payloads are still being compressed on the thread pool. Bytes go
 * straight into the update until a payload is pending; after that they go to
 * a side buffer, cut into chunks between the pending payloads, and `finish`
 * puts everything into the update in the order it was written.
 */
export class UpdateParts {
  private out: ByteWriter | null = null;
  private readonly side = new ByteWriter(64 * 1024);
  private chunks: Array<Buffer | Promise<Buffer>> = [];
  private stats: Array<RectStats & { pending?: Promise<Buffer> }> = [];

  /** Begin an update written into `out`. */
  start(out: ByteWriter): void {
    this.out = out;
    this.side.reset();
    this.chunks = [];
    this.stats = [];
  }

  /** Whether some payload is still being compressed. */
  get waiting(): boolean {
    return this.chunks.length > 0;
  }

  /** Where the next rectangle's header and payload go. */
  get target(): ByteWriter {
    if (!this.out) throw new Error('UpdateParts used before start()');
    return this.chunks.length === 0 ? this.out : this.side;
  }

  /** A rectangle written completely into `target`. */
  rect(stats: RectStats): void {
    this.stats.push(stats);
  }

  /** A rectangle whose header is in `target` and whose payload `payload` resolves to; `stats.bytes` counts the header so far. */
  pending(stats: RectStats, payload: Promise<Buffer>): void {
    if (this.chunks.length > 0) {
      this.chunks.push(Buffer.from(this.side.view()));
      this.side.reset();
    }
    payload.catch(() => undefined); // awaited in finish(); no unhandled rejection meanwhile
    this.chunks.push(payload);
    this.stats.push({ ...stats, pending: payload });
  }

  /** Wait for every payload, put the rest of the update in order into `out`, and return each rectangle's figures. */
  async finish(): Promise<RectStats[]> {
    const out = this.out;
    if (!out) throw new Error('UpdateParts used before start()');
    if (this.chunks.length > 0) {
      if (this.side.length > 0) this.chunks.push(Buffer.from(this.side.view()));
      this.side.reset();
      for (const c of this.chunks) out.bytes(c instanceof Promise ? await c : c);
    }
    const done: RectStats[] = [];
    for (const s of this.stats) {
      const extra = s.pending ? (await s.pending).length : 0;
      done.push({ encoding: s.encoding, pixels: s.pixels, bytes: s.bytes + extra, rawBytes: s.rawBytes });
    }
    this.chunks = [];
    this.stats = [];
    this.out = null;
    return done;
  }
}
