import { ProtocolError } from '../errors.js';
import { AesEax, EAX_TAG_BYTES } from './eax.js';
import type { RecordCipher } from './security-type.js';

/**
 * The record layer of the RSA-AES security types (RFB community registry,
 * "RSA-AES Security Type"): every record is
 *
 *   U16 length | length bytes of AES-EAX ciphertext | 16-byte EAX tag
 *
 * where the two length bytes are also EAX's header (associated data), and the
 * nonce is a 16-byte little-endian counter that starts at zero and goes up by
 * one per record, separately in each direction (each direction has its own
 * key). A record is not a message: RFB messages are cut into records and
 * records may hold several, like TLS.
 */

/** The most a record can carry: its length is a U16. */
export const MAX_RECORD_PLAIN = 0xffff;
/**
 * What we put in one record when sending: TigerVNC sends at most 8192 bytes a
 * record, and viewers written against it may not expect more.
 */
export const SEND_RECORD_PLAIN = 8192;
/** Header and tag around a record's ciphertext. */
export const RECORD_OVERHEAD = 2 + EAX_TAG_BYTES;

/** A 16-byte little-endian counter: the EAX nonce of the next record one way. */
class Counter {
  readonly bytes = Buffer.alloc(16);
  next(): void {
    // Carry from the low byte up; it cannot wrap in a connection's lifetime (2^128 records).
    for (let i = 0; i < 16; i++) {
      this.bytes[i] = (this.bytes[i]! + 1) & 0xff;
      if (this.bytes[i] !== 0) return;
    }
  }
}

/**
 * Bytes received and not yet a whole record. Chunks are kept as they came
 * and joined only once the record is complete, so a record that trickles in
 * a byte at a time costs one copy, not one per byte.
 */
class Pending {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** The byte at `i` (i < length). */
  at(i: number): number {
    for (const c of this.chunks) {
      if (i < c.length) return c[i]!;
      i -= c.length;
    }
    throw new RangeError('past the end');
  }

  /** Remove and return the first `n` bytes (n ≤ length). */
  take(n: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let off = 0;
      while (off < n) {
        const c = this.chunks[0]!;
        const k = Math.min(c.length, n - off);
        c.copy(out, off, 0, k);
        off += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.length -= n;
    return out;
  }
}

export interface RsaAesKeys {
  /** The key of what we send (16 bytes for AES-128, 32 for AES-256). */
  sendKey: Uint8Array;
  /** The key of what we receive. */
  receiveKey: Uint8Array;
}

/**
 * One side's record cipher. `seal` and `open` each keep their own counter,
 * so they must see every record of their direction, in order: this is the
 * cipher of the whole rest of the connection (RA2) or of the few handshake
 * messages (RA2ne), never shared between connections.
 */
export class RsaAesCipher implements RecordCipher {
  private readonly sender: AesEax;
  private readonly receiver: AesEax;
  private readonly sendNonce = new Counter();
  private readonly receiveNonce = new Counter();
  private readonly pending = new Pending();
  private broken = false;

  constructor(keys: RsaAesKeys) {
    this.sender = new AesEax(keys.sendKey);
    this.receiver = new AesEax(keys.receiveKey);
  }

  /** Records for `plain`, each at most SEND_RECORD_PLAIN bytes of it; nothing for nothing. */
  seal(plain: Buffer): Buffer {
    const records: Buffer[] = [];
    for (let off = 0; off < plain.length; off += SEND_RECORD_PLAIN) {
      const part = plain.subarray(off, Math.min(plain.length, off + SEND_RECORD_PLAIN));
      const header = Buffer.from([part.length >> 8, part.length & 0xff]);
      records.push(header, this.sender.encrypt(this.sendNonce.bytes, header, part));
      this.sendNonce.next();
    }
    return Buffer.concat(records);
  }

  /**
   * The plain text of every record `chunk` completes. At most one partial
   * record (2 + 65535 + 16 bytes) is ever held, because whole records are
   * opened as soon as they are in. A record that fails its tag throws
   * ProtocolError, and so does every later call: the stream is out of step
   * and cannot be trusted again.
   */
  open(chunk: Buffer): Buffer {
    if (this.broken) throw new ProtocolError('RSA-AES: the connection already sent a forged or corrupt record');
    this.pending.push(chunk);
    const out: Buffer[] = [];
    while (this.pending.length >= 2) {
      const length = (this.pending.at(0) << 8) | this.pending.at(1);
      if (this.pending.length < RECORD_OVERHEAD + length) break;
      const record = this.pending.take(RECORD_OVERHEAD + length);
      const plain = this.receiver.decrypt(this.receiveNonce.bytes, record.subarray(0, 2), record.subarray(2));
      if (plain === null) {
        this.broken = true;
        throw new ProtocolError('RSA-AES: a record failed its authentication (forged, corrupt or out of order)');
      }
      this.receiveNonce.next();
      if (plain.length > 0) out.push(plain);
    }
    return out.length === 1 ? out[0]! : Buffer.concat(out);
  }

  /** Bytes received that are not yet a whole record (for tests and the log). */
  get buffered(): number {
    return this.pending.length;
  }
}
