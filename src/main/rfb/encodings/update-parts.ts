import { ByteWriter } from '../wire.js';
import type { RectStats } from './encode-manager.js';
import { InputBuffers } from './input-buffers.js';
import { lendPiece, releasePiece } from './lent-buffers.js';

/** Bytes worth a write of their own while an update is streamed. */
const STREAM_CHUNK = 64 * 1024;
/**
 * An update not streamed moves its bytes out of `out` into the tail in
 * pieces of this size, so `out` never grows big: growing one buffer to the
 * 6.4 MB of a 1080p Hextile frame cost some 50 ms here, one step of it
 * 17–22 ms with the event loop held (fresh pages, copied).
 */
const SPILL_CHUNK = 256 * 1024;
/** Buffers for the pieces handed on, one process-wide pool (the event loop's), 8 MiB kept at most; pieces over MAX_POOLED get their own. */
const OUTGOING = new InputBuffers(8 * 1024 * 1024);
const MAX_POOLED = 1024 * 1024;

/**
 * A copy of `bytes` to hand on (streamed or spilled), in a pooled buffer
 * where it fits one; the buffer goes back to the pool when the piece is
 * released (lent-buffers.ts: its socket write flushed or failed).
 */
function copyOut(bytes: Uint8Array): Buffer {
  if (bytes.length > MAX_POOLED) return Buffer.from(bytes);
  const b = OUTGOING.take(bytes.length);
  lendPiece(b, () => OUTGOING.give(b));
  b.set(bytes);
  return b.subarray(0, bytes.length);
}

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
  private stats: Array<(RectStats & { pending?: Promise<Buffer> }) | { group: Promise<readonly RectStats[]> }> = [];
  /** Payloads that have arrived, so `drain` can pass them on without waiting. */
  private arrived = new WeakMap<Promise<Buffer>, Buffer>();
  private send: ((chunk: Buffer) => void) | null = null;
  /** An update not streamed: where its bytes past `keep` go once `out` holds SPILL_CHUNK of them. */
  private spill: Buffer[] | null = null;
  private keep = 0;

  /**
   * Begin an update written into `out`. With `send`, what is complete at the
   * front of the update is handed to it as the update is encoded (`drain`),
   * so the client reads the first rectangles while later ones are made;
   * `out` then holds only the rest.
   */
  start(out: ByteWriter, send?: (chunk: Buffer) => void, tail?: Buffer[]): void {
    this.out = out;
    this.side.reset();
    this.chunks = [];
    this.stats = [];
    this.arrived = new WeakMap();
    this.send = send ?? null;
    // Without `send`, given the tail the update will be finished into: what is in `out` now (its header) stays there.
    this.spill = send ? null : (tail ?? null);
    this.keep = out.length;
  }

  /** Hand what is complete at the front of the update to `send`, once there is at least `min` bytes of it. */
  drain(min = STREAM_CHUNK): void {
    const out = this.out;
    if (out && this.spill && out.length - this.keep >= SPILL_CHUNK) this.spillOut(out, this.spill);
    if (!out || !this.send) return;
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const bytes = c instanceof Promise ? this.arrived.get(c) : c;
      if (!bytes) break;
      this.sendOn(out, bytes);
      this.chunks.shift();
    }
    if (this.chunks.length === 0 && this.side.length > 0) {
      out.bytes(this.side.view());
      this.side.reset();
    }
    if (out.length >= min) {
      this.send(copyOut(out.view()));
      out.reset();
    }
  }

  /**
   * Streaming: `bytes` next. A big piece (a payload of a big rectangle) goes
   * to `send` as it is, after what `out` holds, rather than being copied into
   * `out` and out of it again; small ones gather in `out`, sent once it is big.
   */
  private sendOn(out: ByteWriter, bytes: Buffer): void {
    if (bytes.length < STREAM_CHUNK) {
      out.bytes(bytes);
      // Copied: a payload in lent memory (an encode worker's) can go back now.
      releasePiece(bytes);
    } else {
      if (out.length > 0) this.send!(copyOut(out.view()));
      out.reset();
      this.send!(bytes);
    }
    if (out.length >= STREAM_CHUNK) {
      this.send!(copyOut(out.view()));
      out.reset();
    }
  }

  /** Move what `out` holds past its kept start into `tail` (bytes in `out` always come before any chunk). */
  private spillOut(out: ByteWriter, tail: Buffer[]): void {
    if (out.length === this.keep) return;
    tail.push(copyOut(out.view().subarray(this.keep)));
    out.truncate(this.keep);
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
    this.later(payload);
    this.stats.push({ ...stats, pending: payload });
  }

  /**
   * Rectangles made elsewhere, headers and all (an encode worker's Tight
   * unit), whose number is known only when they come: `bytes` resolves to
   * them, `stats` to their figures.
   */
  group(bytes: Promise<Buffer>, stats: Promise<readonly RectStats[]>): void {
    this.later(bytes);
    // Awaited in finish(); no unhandled rejection meanwhile (it fails with `bytes`).
    stats.catch(() => undefined);
    this.stats.push({ group: stats });
  }

  /** Bytes that come later, next in the update. */
  private later(payload: Promise<Buffer>): void {
    if (this.chunks.length > 0) {
      this.chunks.push(Buffer.from(this.side.view()));
      this.side.reset();
    }
    // Awaited in finish(); no unhandled rejection meanwhile.
    payload.then(
      (b) => this.arrived.set(payload, b),
      () => undefined,
    );
    this.chunks.push(payload);
  }

  /**
   * Wait for every payload, put the rest of the update in order after `out`,
   * and return each rectangle's figures. The rest goes into `out`; or, given
   * `tail` (an update not streamed, whose header's count is patched in `out`
   * later), into `tail` as it is, to be written after `out`: payloads are not
   * copied into `out` then. A streamed update hands big payloads to `send`
   * as they are, too.
   */
  async finish(tail?: Buffer[]): Promise<RectStats[]> {
    const out = this.out;
    if (!out) throw new Error('UpdateParts used before start()');
    // Once some of the update went to the tail, all of it after `out`'s start must follow it there.
    if (this.spill && this.spill.length > 0) {
      if (this.spill !== tail) throw new Error('UpdateParts finished into another tail than it spilled into');
      this.spillOut(out, this.spill);
    }
    this.spill = null;
    if (this.chunks.length > 0) {
      if (this.side.length > 0) this.chunks.push(Buffer.from(this.side.view()));
      this.side.reset();
      for (const c of this.chunks) {
        const bytes = c instanceof Promise ? await c : c;
        if (this.send) {
          this.sendOn(out, bytes);
        } else if (tail) {
          tail.push(bytes);
        } else {
          out.bytes(bytes);
          releasePiece(bytes);
        }
      }
    }
    const done: RectStats[] = [];
    for (const s of this.stats) {
      if ('group' in s) {
        done.push(...(await s.group));
        continue;
      }
      const extra = s.pending ? (await s.pending).length : 0;
      done.push({ encoding: s.encoding, pixels: s.pixels, bytes: s.bytes + extra, rawBytes: s.rawBytes });
    }
    this.chunks = [];
    this.stats = [];
    this.out = null;
    this.send = null;
    return done;
  }
}
