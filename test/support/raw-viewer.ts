import { WireSocket } from './wire-socket.js';

/**
 * A minimal well-behaved viewer for robustness tests: None auth, 32 bpp,
 * Raw only; it keeps asking for incremental updates and counts them.
 */
export class RawViewer {
  updates = 0;
  width = 0;
  height = 0;
  private running = true;
  readonly done: Promise<void>;

  private constructor(private readonly sock: WireSocket) {
    this.done = this.loop().catch((e: unknown) => {
      if (this.running) throw e;
    });
  }

  static async connect(port: number): Promise<RawViewer> {
    const s = await WireSocket.connect(port);
    const { width: w, height: h } = await s.handshakeNone();
    // SetEncodings: Raw only; then a full update request.
    s.write(Buffer.from([2, 0, 0, 1, 0, 0, 0, 0]));
    const v = new RawViewer(s);
    v.width = w;
    v.height = h;
    v.request(false);
    return v;
  }

  private request(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.sock.write(b);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const type = await this.sock.u8();
      if (type !== 0) throw new Error(`unexpected server message ${type}`);
      await this.sock.read(1);
      const count = await this.sock.u16();
      for (let i = 0; i < count; i++) {
        const hdr = await this.sock.read(12);
        const w = hdr.readUInt16BE(4);
        const h = hdr.readUInt16BE(6);
        const enc = hdr.readInt32BE(8);
        if (enc !== 0) throw new Error(`unexpected encoding ${enc}`);
        await this.sock.read(w * h * 4, 10_000);
      }
      this.updates++;
      this.request(true);
    }
  }

  /** Wait until `n` more updates than now have arrived. */
  async waitForMore(n: number, timeoutMs: number): Promise<void> {
    const target = this.updates + n;
    const deadline = Date.now() + timeoutMs;
    while (this.updates < target) {
      if (Date.now() > deadline) throw new Error(`only ${this.updates - target + n} of ${n} updates in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  close(): void {
    this.running = false;
    this.sock.destroy();
  }
}
