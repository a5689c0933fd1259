import net from 'node:net';

/**
 * A loopback TCP client for protocol tests: write bytes, read exact byte
 * counts with a deadline, and observe the server closing the connection.
 */
export class WireSocket {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;

  private tap: ((d: Buffer) => void) | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      if (this.tap) return this.tap(d);
      this.buf = Buffer.concat([this.buf, d]);
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  /** Connect to `host`:`port`, from `localAddress` when given (another loopback address, e.g. 127.0.0.2, is another client address). */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<WireSocket> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new WireSocket(s)));
      s.once('error', reject);
    });
  }

  private notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private wait(timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (have ${this.buf.length} bytes)`)), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  get buffered(): number {
    return this.buf.length;
  }

  write(data: Uint8Array | string): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Read exactly n bytes. */
  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buf.length} of ${n} bytes`);
      await this.wait(Math.max(1, deadline - Date.now()), `${n} bytes`);
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return Buffer.from(out);
  }

  async u8(): Promise<number> {
    return (await this.read(1))[0]!;
  }
  async u16(): Promise<number> {
    return (await this.read(2)).readUInt16BE(0);
  }
  async u32(): Promise<number> {
    return (await this.read(4)).readUInt32BE(0);
  }
  async s32(): Promise<number> {
    return (await this.read(4)).readInt32BE(0);
  }

  /** Resolve once the server closed the connection; returns what was left unread. */
  async waitClosed(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) await this.wait(Math.max(1, deadline - Date.now()), 'the connection to close');
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return rest;
  }

  /** From now on hand every received chunk to `onData`, starting with what is buffered. */
  takeOver(onData: (d: Buffer) => void): void {
    this.tap = onData;
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length > 0) onData(rest);
  }

  /**
   * The client side of an RFB 3.8 handshake with security None, up to and
   * including ServerInit; returns the desktop's size and name.
   */
  async handshakeNone(shared = true): Promise<{ width: number; height: number; name: string }> {
    await this.read(12);
    this.write('RFB 003.008\n');
    const types = await this.read(await this.u8());
    if (!types.includes(1)) throw new Error('server does not offer security None');
    this.write(Buffer.from([1]));
    if ((await this.u32()) !== 0) throw new Error('security failed');
    this.write(Buffer.from([shared ? 1 : 0]));
    const width = await this.u16();
    const height = await this.u16();
    await this.read(16);
    const name = (await this.read(await this.u32())).toString('utf8');
    return { width, height, name };
  }

  destroy(): void {
    this.socket.destroy();
  }
}
