/** Fluent big-endian byte builder for protocol fixtures; comment each field at the call site. */
export class Bytes {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 255);
    return this;
  }
  u16(v: number): this {
    return this.u8(v >> 8).u8(v);
  }
  u32(v: number): this {
    return this.u16((v >>> 16) & 0xffff).u16(v & 0xffff);
  }
  s32(v: number): this {
    return this.u32(v >>> 0);
  }
  pad(n: number): this {
    for (let i = 0; i < n; i++) this.u8(0);
    return this;
  }
  raw(b: Iterable<number>): this {
    for (const x of b) this.u8(x);
    return this;
  }
  text(s: string, encoding: BufferEncoding = 'latin1'): this {
    return this.raw(Buffer.from(s, encoding));
  }
  build(): Buffer {
    return Buffer.from(this.parts);
  }
}

export const bytes = () => new Bytes();
