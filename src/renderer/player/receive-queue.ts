/**
 * noVNC's receive queue (the `rQ…` methods of its Websock) over one whole
 * message: what noVNC's decoders read from. A recording hands the player
 * complete FramebufferUpdate messages, so a decoder asking to wait for more
 * bytes means the message is cut short — `decodeRect` returns false and the
 * caller reports it.
 */
export class ReceiveQueue implements NoVnc.ReceiveQueue {
  private pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Bytes not read yet. */
  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  get offset(): number {
    return this.pos;
  }

  rQwait(_msg: string, num: number, goback?: number): boolean {
    if (this.remaining >= num) return false;
    // noVNC steps back over a header it already read, to read it again with the rest.
    if (goback) this.pos = Math.max(0, this.pos - goback);
    return true;
  }

  rQpeek8(): number {
    this.need(1);
    return this.bytes[this.pos]!;
  }

  rQskipBytes(n: number): void {
    this.need(n);
    this.pos += n;
  }

  rQshift8(): number {
    return this.shift(1);
  }

  rQshift16(): number {
    return this.shift(2);
  }

  rQshift32(): number {
    return this.shift(4);
  }

  rQshiftBytes(len: number, copy = true): Uint8Array {
    const out = this.rQpeekBytes(len, copy);
    this.pos += len;
    return out;
  }

  rQpeekBytes(len: number, copy = true): Uint8Array {
    this.need(len);
    return copy ? this.bytes.slice(this.pos, this.pos + len) : this.bytes.subarray(this.pos, this.pos + len);
  }

  /** An unsigned big-endian number of `n` bytes (RFB's byte order). */
  private shift(n: number): number {
    this.need(n);
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.bytes[this.pos++]!;
    return v;
  }

  /** Reading past the end without waiting first is a damaged message (or a decoder bug): say so. */
  private need(n: number): void {
    if (this.remaining < n) throw new RangeError(`the update ends early: ${n} bytes wanted at offset ${this.pos}, ${this.remaining} left`);
  }
}
