import { FakeDisplay, FakeSock, loadNoVncDecoders, type NoVncDecoder } from './novnc-decoder.js';
import { WireSocket } from './wire-socket.js';

export interface EncodingTally {
  rects: number;
  pixels: number;
  bytes: number;
  rawBytes: number;
}

export interface NoVncViewerOptions {
  port: number;
  /** Encodings to announce, in preference order. */
  encodings: number[];
  /**
   * Pixel format to ask for. noVNC's own (the default) is 32 bpp depth 24
   * little-endian with red at bit 0; `rgb888be` asks for big-endian red-at-16,
   * whose ZRLE CPIXELs are byte-identical to noVNC's (R, G, B) — a format
   * noVNC's decoders can check without any change.
   */
  format?: 'novnc' | 'rgb888be';
}

/**
 * A viewer over a real socket whose rectangles are decoded by noVNC's own
 * decoders (core/decoders/*.js), with noVNC's receive-queue semantics:
 * a decoder returning false waits for more bytes.
 */
export class NoVncViewer {
  updates = 0;
  /** Bytes of FramebufferUpdate messages, headers included. */
  updateBytes = 0;
  /** Per encoding: rectangles, pixels, wire bytes (headers included) and Raw-equivalent bytes at 32 bpp. */
  readonly tally = new Map<number, EncodingTally>();
  readonly display: FakeDisplay;
  readonly seen = new Set<number>();
  /** While paused, the viewer asks for no more updates. */
  paused = false;
  private readonly sock = new FakeSock();
  private state: 'header' | 'rect' | 'body' = 'header';
  private rectsLeft = 0;
  private rect = { x: 0, y: 0, w: 0, h: 0, enc: 0, start: 0 };
  private pushed = 0;
  private updateStart = 0;
  private waiting = false;
  error: Error | null = null;

  private constructor(
    readonly conn: WireSocket,
    readonly width: number,
    readonly height: number,
    private readonly decoders: Map<number, NoVncDecoder>,
  ) {
    this.display = new FakeDisplay(width, height);
  }

  static async connect(opts: NoVncViewerOptions): Promise<NoVncViewer> {
    const c = await WireSocket.connect(opts.port);
    const { width, height } = await c.handshakeNone();
    const pf = Buffer.alloc(20);
    pf[0] = 0; // SetPixelFormat
    pf[4] = 32; // bpp
    pf[5] = 24; // depth
    pf[7] = 1; // true colour
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    if (opts.format === 'rgb888be') {
      pf[6] = 1; // big-endian
      pf[14] = 16; // red shift
      pf[15] = 8;
      pf[16] = 0;
    } else {
      pf[14] = 0; // red shift: noVNC's layout, RGBX bytes
      pf[15] = 8;
      pf[16] = 16;
    }
    const enc = Buffer.alloc(4 + 4 * opts.encodings.length);
    enc[0] = 2;
    enc.writeUInt16BE(opts.encodings.length, 2);
    opts.encodings.forEach((e, i) => enc.writeInt32BE(e, 4 + 4 * i));
    c.write(Buffer.concat([pf, enc]));
    const v = new NoVncViewer(c, width, height, await loadNoVncDecoders());
    c.takeOver((d) => v.onData(d));
    v.request(false);
    return v;
  }

  request(incremental: boolean): void {
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

  /** True when nothing the viewer asked for is still outstanding. */
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
        if (!dec) throw new Error(`noVNC has no decoder for encoding ${enc}`);
        if (!dec.decodeRect(x, y, w, h, s, this.display, 24)) return;
        this.seen.add(enc);
        const t = this.tally.get(enc) ?? { rects: 0, pixels: 0, bytes: 0, rawBytes: 0 };
        t.rects++;
        t.pixels += w * h;
        t.bytes += this.consumed() - start;
        t.rawBytes += w * h * 4;
        this.tally.set(enc, t);
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

  /** Wait for `n` more updates, then until none has come for `quietMs`. */
  async settle(n: number, timeoutMs = 8000, quietMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const target = this.updates + n;
    while (this.updates < target) {
      if (this.error) throw this.error;
      if (Date.now() > deadline) throw new Error(`no update within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    let seen = this.updates;
    for (;;) {
      await new Promise((r) => setTimeout(r, quietMs));
      if (this.error) throw this.error;
      if (this.updates === seen) return;
      seen = this.updates;
      if (Date.now() > deadline) throw new Error('updates did not settle');
    }
  }

  /**
   * The decoded screen as 0x00RRGGBB values. (With `rgb888be` this holds only for
   * ZRLE, whose 3-byte CPIXELs are (R, G, B) in both layouts.)
   */
  pixels(): Uint32Array {
    const out = new Uint32Array(this.width * this.height);
    const p = this.display.rgba;
    for (let i = 0; i < out.length; i++) out[i] = (p[i * 4]! << 16) | (p[i * 4 + 1]! << 8) | p[i * 4 + 2]!;
    return out;
  }

  close(): void {
    this.conn.destroy();
  }
}
