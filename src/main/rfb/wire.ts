/**
 * ByteWriter: a growable big-endian writer (RFB is network byte order) with
 * reserve/patch so a length can be back-filled once the body is known.
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialCapacity = 4096) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  /**
   * Make room for n more bytes and return the offset they start at. Growth at
   * least doubles the capacity, so many small writes copy little; a request
   * past that is met exactly, so a caller that knows a large total can ask for
   * it once.
   */
  ensure(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2));
      this.buf.copy(next, 0, 0, this.len);
      this.buf = next;
    }
    return this.len;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v & 0xffff, this.len);
    this.len += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v >>> 0, this.len);
    this.len += 4;
    return this;
  }

  s32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.len);
    this.len += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Zero bytes of padding. */
  pad(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Reserve n bytes to be patched later; returns their offset. */
  reserve(n: number): number {
    const at = this.ensure(n);
    this.len += n;
    return at;
  }

  patchU8(at: number, v: number): void {
    this.buf[at] = v & 0xff;
  }

  patchU16(at: number, v: number): void {
    this.buf.writeUInt16BE(v & 0xffff, at);
  }

  patchU32(at: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, at);
  }

  /**
   * Direct access for hot loops: returns the underlying buffer after making
   * room for n bytes at offset `length`. Call `advance(k)` after writing k bytes.
   */
  raw(n: number): Buffer {
    this.ensure(n);
    return this.buf;
  }

  advance(k: number): void {
    this.len += k;
  }

  /** A view of what has been written (shares memory until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.len);
  }

  /** A copy of what has been written, independent of later writes. */
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }

  reset(): void {
    this.len = 0;
  }

  /** Forget what was written after `length` bytes (to drop a payload that was given up). */
  truncate(length: number): void {
    if (length < 0 || length > this.len) throw new RangeError(`cannot truncate ${this.len} bytes to ${length}`);
    this.len = length;
  }
}
