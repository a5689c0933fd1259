import { decodeRecord, RECORD_HEADER_BYTES, RecordingFormatError, RecordType, type RawRecord, type RecordingRecord } from './format.js';

/**
 * Streaming record framing: bytes in, in chunks of any size, records out.
 * Inflated data arrives in pieces that ignore record boundaries, so the
 * framer keeps the unfinished tail between pushes. A payload that must be
 * kept is collected only once it is all there (one copy at most, none when it
 * lies inside one chunk); one that need not be kept is counted past without
 * being held, so scanning a long recording for its times holds no pictures.
 */

/**
 * The largest payload the framer will hold. A 1 GiB FramebufferUpdate would be
 * a 16384×16384 screen of raw 32-bit pixels; a length above this means the
 * bytes are not records (damage, or not a recording), and holding them would
 * only exhaust memory.
 */
export const MAX_KEPT_PAYLOAD = 1 << 30;

export class RecordFramer {
  private chunks: Buffer[] = [];
  private have = 0;
  private head: { type: number; t: number; length: number; kept: boolean } | null = null;
  /** Bytes of a skipped payload still to pass. */
  private skipping = 0;

  /** `keep(type)` says whether a record's payload is wanted; skipped records come out with `payload: null`. */
  constructor(private readonly keep: (type: number) => boolean = () => true) {}

  /** Whether the input ended inside a record (a header, or a payload being kept or skipped). */
  get inRecord(): boolean {
    return this.have > 0 || this.head !== null;
  }

  push(chunk: Buffer): RawRecord[] {
    const out: RawRecord[] = [];
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.have += chunk.length;
    }
    for (;;) {
      if (!this.head) {
        if (this.have < RECORD_HEADER_BYTES) break;
        const h = this.take(RECORD_HEADER_BYTES);
        const type = h.readUInt8(0);
        this.head = { type, t: h.readUInt32BE(1), length: h.readUInt32BE(5), kept: this.keep(type) };
        if (!this.head.kept) this.skipping = this.head.length;
        else if (this.head.length > MAX_KEPT_PAYLOAD) {
          throw new RecordingFormatError(`a record of ${this.head.length} bytes at ${this.head.t} ms is larger than any recording holds (damaged data)`);
        }
      }
      const { type, t, length, kept } = this.head;
      if (!kept) {
        this.skipping -= this.drop(this.skipping);
        if (this.skipping > 0) break;
        out.push({ type, t, length, payload: null });
      } else {
        if (this.have < length) break;
        out.push({ type, t, length, payload: this.take(length) });
      }
      this.head = null;
    }
    return out;
  }

  /** The first n bytes held (n ≤ have), as one Buffer: a view when they lie in one chunk. */
  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0) return Buffer.alloc(0);
    if (first && first.length >= n) {
      const out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      this.have -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - at);
      c.copy(out, at, 0, part);
      at += part;
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
    }
    this.have -= n;
    return out;
  }

  /** Let go of up to n bytes without copying them; returns how many went. */
  private drop(n: number): number {
    let dropped = 0;
    while (dropped < n && this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const part = Math.min(c.length, n - dropped);
      if (part === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(part);
      dropped += part;
    }
    this.have -= dropped;
    return dropped;
  }
}

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(RecordType));

/** Bytes in, typed records out; types this version does not know are skipped by their length. */
export class RecordParser {
  private readonly framer = new RecordFramer((type) => KNOWN_TYPES.has(type));

  /** See RecordFramer.inRecord. */
  get inRecord(): boolean {
    return this.framer.inRecord;
  }

  push(chunk: Buffer): RecordingRecord[] {
    const out: RecordingRecord[] = [];
    for (const raw of this.framer.push(chunk)) {
      const record = decodeRecord(raw);
      if (record) out.push(record);
    }
    return out;
  }
}
