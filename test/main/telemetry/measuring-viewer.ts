import { FakeDisplay, FakeSock, loadNoVncDecoders, type NoVncDecoder } from '../../support/novnc-decoder.js';
import { WireSocket } from '../../support/wire-socket.js';

export interface EncodingTally {
  rects: number;
  pixels: number;
  /** Bytes on the wire for these rectangles, 12-byte headers included. */
  bytes: number;
  /** What they would have taken in Raw at our 32 bpp. */
  rawBytes: number;
}

/**
 * A viewer that decodes with noVNC's own decoders (so it can take ZRLE,
 * Hextile, Zlib, RRE, CopyRect and Raw) and counts, per encoding, exactly how
 * many bytes each rectangle took on the wire: what the client really got, to
 * hold the server's metrics against.
 */
export class MeasuringViewer {
  readonly tally = new Map<number, EncodingTally>();
  updates = 0;
  /** Bytes of FramebufferUpdate messages, headers included. */
  updateBytes = 0;
  error: Error | null = null;
  /** While paused, the viewer asks for no more updates. */
  paused = false;
  private readonly sock = new FakeSock();
  private readonly display: FakeDisplay;
  private pushed = 0;
  private state: 'header' | 'rect' | 'body' = 'header';
  private rectsLeft = 0;
  private rect = { x: 0, y: 0, w: 0, h: 0, enc: 0, start: 0 };
  private updateStart = 0;
  private waiting = false;

  private constructor(
    readonly conn: WireSocket,
    readonly width: number,
    readonly height: number,
    private readonly decoders: Map<number, NoVncDecoder>,
  ) {
    this.display = new FakeDisplay(width, height);
  }

  static async connect(port: number, encodings: number[]): Promise<MeasuringViewer> {
    const c = await WireSocket.connect(port);
    const { width, height } = await c.handshakeNone();
    // noVNC's pixel format: 32 bpp, depth 24, little-endian, red at bit 0.
    const pf = Buffer.alloc(20);
    pf[4] = 32;
    pf[5] = 24;
    pf[7] = 1;
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    pf[14] = 0;
    pf[15] = 8;
    pf[16] = 16;
    const enc = Buffer.alloc(4 + 4 * encodings.length);
    enc[0] = 2;
    enc.writeUInt16BE(encodings.length, 2);
    encodings.forEach((e, i) => enc.writeInt32BE(e, 4 + 4 * i));
    c.write(Buffer.concat([pf, enc]));
    const v = new MeasuringViewer(c, width, height, await loadNoVncDecoders());
    c.takeOver((d) => v.onData(d));
    v.request(false);
    return v;
  }

  private request(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.conn.write(b);
    this.waiting = true;
  }

  /** Ask again (after a pause). */
  resume(): void {
    this.paused = false;
    if (!this.waiting) this.request(true);
  }

  /** True when the viewer has asked for nothing that is still outstanding. */
  get idle(): boolean {
    return !this.waiting && this.state === 'header';
  }

  /** Bytes consumed from the stream so far. */
  private consumed(): number {
    return this.pushed - this.sock.rQlen();
  }

  private onData(d: Buffer): void {
    if (this.error) return;
    this.sock.push(d);
    this.pushed += d.length;
    try {
      this.process();
    } catch (e) {
      this.error = e as Error;
    }
  }

  private process(): void {
    const s = this.sock;
    for (;;) {
      if (this.state === 'header') {
        if (s.rQwait('msg', 4)) return;
        this.updateStart = this.consumed();
        const type = s.rQshift8();
        if (type !== 0) throw new Error(`unexpected server message ${type}`);
        s.rQskipBytes(1);
        this.rectsLeft = s.rQshift16();
        this.state = 'rect';
        if (this.rectsLeft === 0) this.finishUpdate();
      } else if (this.state === 'rect') {
        if (s.rQwait('rect', 12)) return;
        const start = this.consumed();
        this.rect = { x: s.rQshift16(), y: s.rQshift16(), w: s.rQshift16(), h: s.rQshift16(), enc: s.rQshift32() | 0, start };
        this.state = 'body';
      } else {
        const { x, y, w, h, enc, start } = this.rect;
        const dec = this.decoders.get(enc);
        if (!dec) throw new Error(`no decoder for encoding ${enc}`);
        if (!dec.decodeRect(x, y, w, h, s, this.display, 24)) return;
        let t = this.tally.get(enc);
        if (!t) {
          t = { rects: 0, pixels: 0, bytes: 0, rawBytes: 0 };
          this.tally.set(enc, t);
        }
        t.rects++;
        t.pixels += w * h;
        t.bytes += this.consumed() - start;
        t.rawBytes += w * h * 4;
        if (--this.rectsLeft === 0) this.finishUpdate();
        else this.state = 'rect';
      }
    }
  }

  private finishUpdate(): void {
    this.state = 'header';
    this.updates++;
    this.updateBytes += this.consumed() - this.updateStart;
    this.waiting = false;
    if (!this.paused) this.request(true);
  }

  close(): void {
    this.conn.destroy();
  }
}
